use chrono::{DateTime, FixedOffset};
use typst::layout::{Frame, FrameItem};

use super::forms::layout;
use super::*;

fn at(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).expect("test instant")
}

fn info(name: &str) -> DossierInfo {
    DossierInfo {
        issuer: Issuer {
            authority: "Ủy ban nhân dân tỉnh Gia Lai".into(),
            body: "Trung tâm Phục vụ hành chính công tỉnh".into(),
            place: "Gia Lai".into(),
        },
        issued_at: at("2026-04-13T09:15:00+07:00"),
        code: "000.00.12.H21-260413-0001".into(),
        procedure_code: "1.001193".into(),
        procedure_name: "Đăng ký khai sinh".into(),
        competent_body: "Ủy ban nhân dân xã Ia Grai".into(),
        receiving_body: "Trung tâm Phục vụ hành chính công tỉnh".into(),
        applicant: Addressee {
            name: name.into(),
            address: Some("12 Trần Hưng Đạo, phường Pleiku".into()),
            phone: Some("0905 123 456".into()),
            email: None,
        },
        received_at: Some(at("2026-04-13T09:10:00+07:00")),
        appointment: Some(at("2026-04-17T16:30:00+07:00")),
    }
}

fn receipt() -> Form {
    Form::Receipt {
        papers: vec![
            PaperLine {
                name: "Tờ khai đăng ký khai sinh".into(),
                originals: 1,
                copies: 0,
            },
            PaperLine {
                name: "Giấy chứng sinh".into(),
                originals: 1,
                copies: 1,
            },
        ],
        legal_time: "03 ngày làm việc".into(),
        lookup_url: "https://dichvucong.gialai.gov.vn/tra-cuu?ma=000.00.12.H21-260413-0001".into(),
        officer: "Nguyễn Thị Hồng".into(),
    }
}

fn all_forms() -> Vec<Form> {
    let reasons = vec!["Thiếu bản sao giấy chứng nhận kết hôn của cha, mẹ.".to_string()];
    vec![
        receipt(),
        Form::SupplementRequest {
            requested_at: at("2026-04-14T10:00:00+07:00"),
            items: reasons.clone(),
            officer: "Trần Văn Đức".into(),
        },
        Form::Refusal {
            refused_at: at("2026-04-14T10:00:00+07:00"),
            reasons: reasons.clone(),
            officer: "Trần Văn Đức".into(),
        },
        Form::Apology {
            previous_appointment: at("2026-04-17T16:30:00+07:00"),
            new_appointment: at("2026-04-22T16:30:00+07:00"),
            reasons: reasons.clone(),
            officer: "Lê Quốc Việt".into(),
        },
        Form::StopNotice {
            stopped_at: at("2026-04-15T08:00:00+07:00"),
            reasons,
            officer: "Lê Quốc Việt".into(),
        },
        Form::ControlSheet {
            steps: vec![
                HandOver {
                    at: at("2026-04-13T09:10:00+07:00"),
                    giver: "Người nộp hồ sơ".into(),
                    receiver: "Bộ phận một cửa (Nguyễn Thị Hồng)".into(),
                    verdict: None,
                    note: "Tiếp nhận".into(),
                },
                HandOver {
                    at: at("2026-04-14T15:00:00+07:00"),
                    giver: "Thụ lý (Trần Văn Đức)".into(),
                    receiver: "Phê duyệt".into(),
                    verdict: Some("Đúng hạn".into()),
                    note: "Chuyển bước".into(),
                },
            ],
            outcome: Some("Đúng hạn".into()),
        },
    ]
}

/// Text runs and glyphs of a laid-out frame, with the family of each run's font.
fn walk(frame: &Frame, text: &mut String, families: &mut Vec<String>, notdef: &mut usize) {
    for (_, item) in frame.items() {
        match item {
            FrameItem::Group(g) => walk(&g.frame, text, families, notdef),
            FrameItem::Text(t) => {
                text.push_str(&t.text);
                text.push(' ');
                families.push(t.font.font().info().family.clone());
                *notdef += t.glyphs.iter().filter(|g| g.id == 0).count();
            }
            _ => {}
        }
    }
}

fn laid_out_text(info: &DossierInfo, form: &Form) -> (String, Vec<String>, usize, usize) {
    let doc = layout(info, form).expect("layout");
    let (mut text, mut families, mut notdef) = (String::new(), Vec::new(), 0);
    for page in doc.pages() {
        walk(&page.frame, &mut text, &mut families, &mut notdef);
    }
    (text, families, notdef, doc.pages().len())
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn vietnamese_text_is_set_in_the_bundled_serif_with_every_glyph() {
    let name = "Ủy ban nhân dân, Cộng hòa xã hội chủ nghĩa Việt Nam, Độc lập - Tự do - Hạnh phúc, \
                Giấy tiếp nhận hồ sơ và hẹn trả kết quả, Nguyễn Thị Ánh Tuyết, Đặng Quốc Hưng, ỹ ỷ ữ ợ";
    let (text, families, notdef, pages) = laid_out_text(&info(name), &receipt());
    assert_eq!(notdef, 0, "glyphs missing from the font");
    assert!(!families.is_empty());
    assert!(
        families.iter().all(|f| f == "Libertinus Serif"),
        "fell back to other fonts: {families:?}"
    );
    assert!(squash(&text).contains(&squash(name)), "{text}");
    assert!(squash(&text).contains(&squash("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")));
    assert!(squash(&text).contains(&squash("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ")));
    assert_eq!(pages, 1);
}

#[test]
fn every_form_renders_a_pdf_with_its_title_and_the_dossier() {
    let info = info("Phạm Minh Châu");
    for form in all_forms() {
        let (text, _, notdef, _) = laid_out_text(&info, &form);
        assert_eq!(notdef, 0, "form {}", form.number());
        let text = squash(&text);
        assert!(
            text.contains(&squash(&form.title_vi().to_uppercase())),
            "form {}: {text}",
            form.number()
        );
        assert!(text.contains(&squash(&info.code)), "form {}", form.number());
        assert!(
            text.contains(&squash("Độc lập - Tự do - Hạnh phúc")),
            "form {}",
            form.number()
        );
        let pdf = render_pdf(&info, &form).expect("pdf");
        assert!(pdf.starts_with(b"%PDF-"), "form {}", form.number());
        assert!(pdf.len() > 2_000);
        let tail = &pdf[pdf.len().saturating_sub(64)..];
        assert!(tail.windows(5).any(|w| w == b"%%EOF"));
        // The serif is embedded (as a subset).
        assert!(
            pdf.windows(15).any(|w| w == b"LibertinusSerif"),
            "form {}",
            form.number()
        );
    }
}

#[test]
fn form_specific_content_is_printed() {
    let info = info("Phạm Minh Châu");
    let forms = all_forms();
    let (receipt_text, ..) = laid_out_text(&info, &forms[0]);
    let receipt_text = squash(&receipt_text);
    for expected in [
        "Tờ khai đăng ký khai sinh",
        "Giấy chứng sinh",
        "03 ngày làm việc",
        "09 giờ 10 phút, ngày 13/04/2026",
    ] {
        assert!(receipt_text.contains(&squash(expected)), "{expected}");
    }
    let (apology, ..) = laid_out_text(&info, &forms[3]);
    assert!(squash(&apology).contains(&squash("16 giờ 30 phút, ngày 22/04/2026")));
    let (sheet, ..) = laid_out_text(&info, &forms[5]);
    let sheet = squash(&sheet);
    assert!(sheet.contains(&squash("Thụ lý (Trần Văn Đức)")));
    assert!(sheet.contains(&squash("14 giờ 00 phút")) || sheet.contains(&squash("15 giờ 00 phút, ngày 14/04/2026")));
}

#[test]
fn user_data_is_never_evaluated_as_markup() {
    let hostile = r#"#panic("x") *bold* $x^2$ ] #import "/data.json" = Heading <l> @ref \ "#;
    let mut info = info(hostile);
    info.applicant.address = Some("#{ 1 + 1 } ]) [".into());
    let (text, _, _, _) = laid_out_text(&info, &receipt());
    assert!(squash(&text).contains(&squash(hostile)), "{text}");
    assert!(squash(&text).contains(&squash("#{ 1 + 1 } ]) [")));
}

#[test]
fn empty_optional_values_leave_dotted_lines_not_errors() {
    let mut info = info("Phạm Minh Châu");
    info.applicant = Addressee {
        name: "Phạm Minh Châu".into(),
        ..Default::default()
    };
    info.received_at = None;
    let form = Form::Refusal {
        refused_at: at("2026-04-14T10:00:00+07:00"),
        reasons: vec![],
        officer: String::new(),
    };
    let pdf = render_pdf(&info, &form).expect("pdf");
    assert!(pdf.starts_with(b"%PDF-"));
}

#[test]
fn qr_code_is_svg() {
    let svg = qr_svg("https://example.vn/tra-cuu?ma=000.00.12.H21-260413-0001").expect("qr");
    assert!(svg.contains("<svg"));
    assert!(qr_svg(&"x".repeat(8000)).is_err());
}

#[test]
fn register_reads_back_with_its_rows() {
    use calamine::{Reader, Xlsx};
    let rows = vec![
        RegisterRow {
            code: "000.00.12.H21-260413-0001".into(),
            procedure_name: "Đăng ký khai sinh".into(),
            applicant_name: "=HYPERLINK(\"http://x\")".into(),
            contact: "12 Trần Hưng Đạo; 0905 123 456".into(),
            competent_body: "Ủy ban nhân dân xã Ia Grai".into(),
            received_at: Some(at("2026-04-13T09:10:00+07:00")),
            appointment: Some(at("2026-04-17T16:30:00+07:00")),
            finished_at: None,
            returned_at: None,
            note: "Đang xử lý".into(),
        },
        RegisterRow {
            code: "000.00.12.H21-260413-0002".into(),
            procedure_name: "Đăng ký kết hôn".into(),
            applicant_name: "Lê Văn Tám".into(),
            contact: String::new(),
            competent_body: "Ủy ban nhân dân xã Ia Grai".into(),
            received_at: Some(at("2026-04-13T10:00:00+07:00")),
            appointment: Some(at("2026-04-14T10:00:00+07:00")),
            finished_at: Some(at("2026-04-14T09:00:00+07:00")),
            returned_at: Some(at("2026-04-14T09:30:00+07:00")),
            note: "Đã trả kết quả — Đúng hạn".into(),
        },
    ];
    let info = RegisterInfo {
        unit_name: "Ủy ban nhân dân xã Ia Grai".into(),
        unit_code: "23575".into(),
        period: "01/04/2026 – 30/04/2026".into(),
    };
    let bytes = render_register(&info, &rows).expect("xlsx");
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).expect("opens");
    let range = book.worksheet_range("So theo doi").expect("sheet");
    let cell = |r: u32, c: u32| range.get_value((r, c)).map(|v| v.to_string()).unwrap_or_default();
    assert_eq!(cell(0, 0), "SỔ THEO DÕI HỒ SƠ");
    assert!(cell(1, 0).contains("23575"));
    assert_eq!(cell(4, 1), "Mã hồ sơ");
    assert_eq!(cell(5, 0), "1");
    assert_eq!(cell(5, 1), "000.00.12.H21-260413-0001");
    // A value that looks like a formula stays text.
    assert_eq!(cell(5, 3), "=HYPERLINK(\"http://x\")");
    assert_eq!(cell(6, 9), "14/04/2026 09:30");
    assert_eq!(cell(6, 10), "Đã trả kết quả — Đúng hạn");
    assert_eq!(range.end().map(|(r, _)| r), Some(6));
}
