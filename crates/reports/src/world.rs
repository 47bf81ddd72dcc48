//! A minimal typst `World`: the bundled fonts, the form templates compiled into the binary, and
//! the per-render data files. Nothing is read from disk and no package is ever fetched.
//!
//! User data never becomes typst markup: it travels as `/data.json` (and the QR code as
//! `/qr.svg`) and the templates read it with `json(...)`, where strings stay strings.

use std::collections::HashMap;
use std::sync::OnceLock;

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

/// The templates, by their virtual path.
const TEMPLATES: [(&str, &str); 9] = [
    ("/common.typ", include_str!("../templates/common.typ")),
    ("/form-01.typ", include_str!("../templates/form-01.typ")),
    ("/form-02.typ", include_str!("../templates/form-02.typ")),
    ("/form-03.typ", include_str!("../templates/form-03.typ")),
    ("/form-04.typ", include_str!("../templates/form-04.typ")),
    ("/form-05.typ", include_str!("../templates/form-05.typ")),
    ("/form-06.typ", include_str!("../templates/form-06.typ")),
    ("/steering.typ", include_str!("../templates/steering.typ")),
    ("/dashboard.typ", include_str!("../templates/dashboard.typ")),
];

pub(crate) const DATA_PATH: &str = "/data.json";
pub(crate) const QR_PATH: &str = "/qr.svg";

/// What every render shares, built once: parsing the fonts and the templates dominates a cold
/// render, and the same `Source` values let typst's memoisation reuse work across renders.
struct Shared {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    sources: HashMap<FileId, Source>,
}

fn file_id(path: &str) -> Option<FileId> {
    VirtualPath::new(path)
        .ok()
        .map(|vpath| RootedPath::new(VirtualRoot::Project, vpath).intern())
}

fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        let fonts: Vec<Font> = typst_assets::fonts()
            .flat_map(|data| Font::iter(Bytes::new(data)))
            .collect();
        let book = FontBook::from_fonts(&fonts);
        let sources = TEMPLATES
            .iter()
            .filter_map(|(path, text)| file_id(path).map(|id| (id, Source::new(id, (*text).to_string()))))
            .collect();
        Shared {
            library: LazyHash::new(Library::default()),
            book: LazyHash::new(book),
            fonts,
            sources,
        }
    })
}

/// Loads fonts and templates now, so the first request does not pay for it.
pub fn warm_up() {
    shared();
}

/// One render: a template as the main file plus this render's data files.
pub(crate) struct FormWorld {
    main: FileId,
    files: HashMap<FileId, Bytes>,
    today: Datetime,
}

impl FormWorld {
    pub(crate) fn new(main_path: &str, files: Vec<(&str, Vec<u8>)>, today: chrono::NaiveDate) -> Option<FormWorld> {
        use chrono::Datelike;
        let main = file_id(main_path)?;
        if !shared().sources.contains_key(&main) {
            return None;
        }
        let mut map = HashMap::new();
        for (path, bytes) in files {
            map.insert(file_id(path)?, Bytes::new(bytes));
        }
        let today = Datetime::from_ymd(
            today.year(),
            u8::try_from(today.month()).ok()?,
            u8::try_from(today.day()).ok()?,
        )?;
        Some(FormWorld {
            main,
            files: map,
            today,
        })
    }
}

impl World for FormWorld {
    fn library(&self) -> &LazyHash<Library> {
        &shared().library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &shared().book
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        shared().sources.get(&id).cloned().ok_or_else(|| not_found(id))
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if let Some(bytes) = self.files.get(&id) {
            return Ok(bytes.clone());
        }
        shared()
            .sources
            .get(&id)
            .map(|s| Bytes::from_string(s.clone()))
            .ok_or_else(|| not_found(id))
    }

    fn font(&self, index: usize) -> Option<Font> {
        shared().fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        Some(self.today)
    }
}

fn not_found(id: FileId) -> FileError {
    FileError::NotFound(id.vpath().get_without_slash().into())
}
