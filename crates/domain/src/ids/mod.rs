//! Validated identifiers: personal identification numbers, electronic unit codes (QCVN 102:2016),
//! dossier codes (TT 01/2018 Art. 19) and national procedure codes.
//!
//! Every type parses with `FromStr` / `TryFrom<&str>` into a typed error with an English message,
//! prints with `Display`, and (de)serialises as a plain string that is validated on the way in.

/// Implements `TryFrom<&str>` and string (de)serialisation for a `FromStr` type; `$text` is the
/// method producing the full, unmasked text to serialise.
macro_rules! string_newtype_serde {
    ($t:ty, $text:ident) => {
        impl TryFrom<&str> for $t {
            type Error = <$t as ::std::str::FromStr>::Err;
            fn try_from(s: &str) -> Result<Self, Self::Error> {
                s.parse()
            }
        }

        impl ::serde::Serialize for $t {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.$text())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $t {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <String as ::serde::Deserialize>::deserialize(deserializer)?;
                text.parse().map_err(::serde::de::Error::custom)
            }
        }
    };
}

mod dossier;
mod personal;
mod procedure;
mod provinces;
mod unit_code;

pub use dossier::{looks_like_dossier_code, DossierCode, DossierCodeError};
pub use personal::{
    check_personal_id, mask_personal_number, IdKind, PersonalId, PersonalIdCheck, PersonalIdError,
    PersonalIdFormatError, PersonalIdProblem, Sex,
};
pub use procedure::{ProcedureCode, ProcedureCodeError};
pub use provinces::{birth_registration_province_name, BIRTH_REGISTRATION_PROVINCES};
pub use unit_code::{UnitCode, UnitCodeError};

/// Rejected input quoted in an error message, cut short so a huge input cannot flood a log.
fn quoted(input: &str) -> String {
    const MAX: usize = 40;
    if input.chars().count() <= MAX {
        format!("{input:?}")
    } else {
        let head: String = input.chars().take(MAX).collect();
        format!("{head:?}…")
    }
}
