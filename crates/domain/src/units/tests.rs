use std::sync::OnceLock;

use chrono::NaiveDate;
use unicode_normalization::is_nfc;

use super::*;

const UNITS: &str = include_str!("../../../../data/units/units.csv");
const MERGES: &str = include_str!("../../../../data/units/merges.csv");

fn dir() -> &'static UnitDirectory {
    static DIR: OnceLock<UnitDirectory> = OnceLock::new();
    DIR.get_or_init(|| UnitDirectory::from_csv(UNITS, MERGES).unwrap())
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

#[test]
fn bundled_equals_the_files() {
    assert_eq!(BUNDLED_UNITS_CSV, UNITS);
    assert_eq!(UnitDirectory::bundled().unwrap().units().len(), 14_161);
}

#[test]
fn counts_on_2025_07_01() {
    let on = FIRST_DAY_2025;
    assert_eq!(dir().provinces(on).len(), 34);
    let communes = dir()
        .units()
        .iter()
        .filter(|u| u.level == UnitLevel::Commune && u.is_valid_on(on))
        .count();
    assert_eq!(communes, 3321);
    let total: usize = dir()
        .provinces(on)
        .iter()
        .map(|p| dir().communes_of(&p.code, on).len())
        .sum();
    assert_eq!(total, 3321, "every 2025 commune hangs under one of the 34 provinces");
    assert!(dir()
        .units()
        .iter()
        .filter(|u| u.is_valid_on(on))
        .all(|u| u.level != UnitLevel::District));
}

#[test]
fn counts_before_2025_07_01() {
    let on = d(2025, 6, 30);
    assert_eq!(dir().provinces(on).len(), 63);
    let districts = dir()
        .units()
        .iter()
        .filter(|u| u.level == UnitLevel::District && u.is_valid_on(on))
        .count();
    assert_eq!(districts, 696);
    // Old Gia Lai 64: 17 districts, 218 communes.
    assert_eq!(dir().children("64", on).len(), 17);
    assert_eq!(dir().communes_of("64", on).len(), 218);
    assert_eq!(dir().communes_of("64", FIRST_DAY_2025).len(), 0);
}

#[test]
fn new_gia_lai() {
    let on = FIRST_DAY_2025;
    let gia_lai = dir().get("52", on).unwrap();
    assert_eq!(gia_lai.name, "Tỉnh Gia Lai");
    assert_eq!(gia_lai.level, UnitLevel::Province);
    // The same code named Bình Định the day before.
    assert_eq!(dir().get("52", d(2025, 6, 30)).unwrap().name, "Tỉnh Bình Định");

    let communes = dir().communes_of("52", on);
    assert_eq!(communes.len(), 135);
    assert_eq!(communes.iter().filter(|u| u.kind == "Xã").count(), 110);
    assert_eq!(communes.iter().filter(|u| u.kind == "Phường").count(), 25);

    for (code, name) in [("23575", "Phường Pleiku"), ("21583", "Phường Quy Nhơn")] {
        let unit = dir().get(code, on).unwrap();
        assert_eq!(unit.name, name);
        assert_eq!(unit.parent_code.as_deref(), Some("52"));
        assert!(communes.iter().any(|c| c.code == code));
        assert_eq!(dir().province_of(unit).unwrap().code, "52");
    }
    // 23575 was Phường Tây Sơn of Thành phố Pleiku until 2025-06-30: the key includes the date.
    let old = dir().get("23575", d(2024, 1, 1)).unwrap();
    assert_eq!(old.name, "Phường Tây Sơn");
    assert_eq!(old.parent_code.as_deref(), Some("622"));
    assert_eq!(dir().province_of(old).unwrap().code, "64");
}

#[test]
fn merges_of_old_gia_lai() {
    // Old province 64 went wholly into new 52, as did old Bình Định 52.
    assert_eq!(
        dir().successors("64", UnitLevel::Province),
        vec![("52".to_owned(), Coverage::Full)]
    );
    assert_eq!(dir().map_to_2025("64", UnitLevel::Province).as_deref(), Some("52"));
    assert_eq!(dir().map_to_2025("52", UnitLevel::Province).as_deref(), Some("52"));
    let olds: Vec<String> = dir()
        .predecessors("52", UnitLevel::Province)
        .into_iter()
        .map(|(c, _, _)| c)
        .collect();
    assert_eq!(olds, ["52", "64"]);

    // Old Phường Hội Thương (23566, Pleiku) is part of the new Phường Pleiku.
    assert_eq!(
        dir().successors("23566", UnitLevel::Commune),
        vec![("23575".to_owned(), Coverage::Full)]
    );
    assert_eq!(dir().map_to_2025("23566", UnitLevel::Commune).as_deref(), Some("23575"));
    assert_eq!(
        dir().map_to_2025_province("23566", UnitLevel::Commune).as_deref(),
        Some("52")
    );
    assert_eq!(
        dir().map_to_2025_province("622", UnitLevel::District).as_deref(),
        Some("52")
    );
    let preds = dir().predecessors("23575", UnitLevel::Commune);
    assert!(preds.iter().any(|(c, l, _)| c == "23575" && *l == UnitLevel::Commune));
    assert!(preds.iter().any(|(c, _, _)| c == "23566"));
}

#[test]
fn every_old_province_and_commune_maps_to_2025() {
    let old = dir()
        .units()
        .iter()
        .filter(|u| u.valid_to == Some(LAST_DAY_PRE_2025) && u.level != UnitLevel::District);
    for unit in old {
        let new = dir().map_to_2025(&unit.code, unit.level);
        let new = new.unwrap_or_else(|| panic!("{} {} has no successor", unit.level, unit.code));
        assert!(dir().get_at(&new, unit.level, FIRST_DAY_2025).is_some());
        assert!(dir().map_to_2025_province(&unit.code, unit.level).is_some());
    }
    // Districts map only through their province, except island districts.
    assert_eq!(dir().map_to_2025("622", UnitLevel::District), None);
    assert_eq!(
        dir().successors("536", UnitLevel::District),
        vec![("21548".to_owned(), Coverage::Full)]
    );
}

#[test]
fn partial_merges_follow_the_documented_rule() {
    let c = UnitLevel::Commune;
    // Rule 3: the successor that reused the old code (00025 Ngọc Khánh → 00025 Giảng Võ).
    assert_eq!(dir().successors("00025", c).len(), 3);
    assert_eq!(dir().map_to_2025("00025", c).as_deref(), Some("00025"));
    // Rule 4: the successor with the same proper name (00073 Cửa Nam → 00082 Cửa Nam).
    assert_eq!(dir().map_to_2025("00073", c).as_deref(), Some("00082"));
    assert_eq!(dir().map_to_2025("00016", c).as_deref(), Some("00008"));
    // Rule 5: the smallest code (00019 Điện Biên → 00004, 00070, 00190, 00226).
    assert!(dir()
        .successors("00019", c)
        .iter()
        .all(|(_, cov)| *cov == Coverage::Partial));
    assert_eq!(dir().map_to_2025("00019", c).as_deref(), Some("00004"));
    assert_eq!(dir().map_to_2025("99999", c), None);
}

#[test]
fn data_is_nfc_and_well_formed() {
    assert!(is_nfc(UNITS) && is_nfc(MERGES));
    for unit in dir().units() {
        if let Some(parent) = &unit.parent_code {
            let on = unit.valid_from.or(unit.valid_to).unwrap();
            assert!(dir().get(parent, on).is_some(), "{unit:?}");
        }
        assert!(!unit.kind.is_empty());
    }
    let kinds: std::collections::BTreeSet<&str> = dir().units().iter().map(|u| u.kind.as_str()).collect();
    for k in [
        "Tỉnh",
        "Thành phố",
        "Quận",
        "Huyện",
        "Thị xã",
        "Phường",
        "Xã",
        "Thị trấn",
        "Đặc khu",
    ] {
        assert!(kinds.contains(k), "{k}");
    }
}

#[test]
fn validity_is_inclusive() {
    let unit = dir().get("64", d(2025, 6, 30)).unwrap();
    assert!(is_valid_on(unit, d(1990, 1, 1)));
    assert!(is_valid_on(unit, d(2025, 6, 30)));
    assert!(!is_valid_on(unit, d(2025, 7, 1)));
    let new = dir().get_at("52", UnitLevel::Province, FIRST_DAY_2025).unwrap();
    assert!(!new.is_valid_on(d(2025, 6, 30)));
    assert!(new.is_valid_on(d(2030, 1, 1)));
    assert_eq!(dir().get("64", d(2025, 7, 1)), None);
}

#[test]
fn parse_errors_name_the_line() {
    let header = "code,name,level,kind,parent_code,valid_from,valid_to\n";
    let e = parse_units_csv(&format!(
        "{header}52,Tỉnh Gia Lai,province,Tỉnh,,2025-07-01,\n52,X,region,Tỉnh,,,\n"
    ))
    .unwrap_err();
    assert_eq!(e.line, 3);
    assert!(e.to_string().starts_with("line 3: level"), "{e}");
    let e = parse_units_csv(&format!("{header}52,Tỉnh Gia Lai,province,Tỉnh,,2025-13-01,\n")).unwrap_err();
    assert_eq!(e.line, 2);
    assert!(e.message.contains("valid_from"));
    let e = parse_units_csv(&format!(
        "{header}52,A,province,Tỉnh,,2025-07-01,\n52,B,province,Tỉnh,,2025-07-01,\n"
    ))
    .unwrap_err();
    assert_eq!(e.line, 3);
    assert!(e.message.contains("duplicate"));
    let e = parse_units_csv(&format!("{header}52,A,province,Tỉnh,,2025-07-01,2025-01-01\n")).unwrap_err();
    assert!(e.message.contains("after"));
    let e = parse_units_csv(&format!("{header},A,province,Tỉnh,,,\n")).unwrap_err();
    assert!(e.message.contains("code"));
    let e = parse_units_csv(&format!("{header}52,A,province\n")).unwrap_err();
    assert_eq!(e.line, 2);
    let e = parse_units_csv("code,name\n52,A\n").unwrap_err();
    assert_eq!(e.line, 1);
    assert!(e.message.contains("level"));

    let header = "new_code,new_level,old_code,old_level,coverage\n";
    let e = parse_merges_csv(&format!(
        "{header}52,province,64,province,full\n52,province,52,province,most\n"
    ))
    .unwrap_err();
    assert_eq!(e.line, 3);
    assert!(e.message.contains("coverage"));
    let e = parse_merges_csv(&format!(
        "{header}52,province,64,province,full\n52,province,64,province,full\n"
    ))
    .unwrap_err();
    assert!(e.message.contains("duplicate"));
}

#[test]
fn parsing_normalises_and_tolerates() {
    // BOM, decomposed Vietnamese, column order, extra column, CRLF.
    let text = "\u{feff}name,code,level,kind,parent_code,valid_from,valid_to,note\r\n\
                Ti\u{0309}nh Gia Lai,52,province,Tỉnh,,2025-07-01,,x\r\n";
    let units = parse_units_csv(text).unwrap();
    assert_eq!(units.len(), 1);
    assert_eq!(units[0].name, "Tỉnh Gia Lai");
    assert!(is_nfc(&units[0].name));
    assert_eq!(units[0].valid_from, Some(FIRST_DAY_2025));
    assert_eq!(units[0].parent_code, None);
    let json = serde_json::to_value(&units[0]).unwrap();
    assert_eq!(json["level"], "province");
    let back: AdminUnit = serde_json::from_value(json).unwrap();
    assert_eq!(back, units[0]);
    assert!(parse_units_csv("").is_err());
}

#[test]
fn parsers_never_panic_on_garbage() {
    for text in [
        "",
        "\n\n",
        "code",
        "\"",
        "code,name,level,kind,parent_code,valid_from,valid_to\n\"unterminated",
        "code,name,level,kind,parent_code,valid_from,valid_to\n1,2,3,4,5,6,7,8,9\n",
        "new_code,new_level,old_code,old_level,coverage\n,,,,\n",
    ] {
        let _ = parse_units_csv(text);
        let _ = parse_merges_csv(text);
    }
}

#[test]
fn provincial_agencies_of_gia_lai() {
    let agencies = provincial_agencies("52", "H21");
    let centre = agencies.iter().find(|a| a.kind == AgencyKind::ServiceCentre).unwrap();
    assert_eq!(centre.electronic_code.as_str(), "000.00.12.H21");
    assert_eq!(centre.code, "000.00.12.H21");
    assert_eq!(centre.name, "Trung tâm Phục vụ hành chính công tỉnh");
    let committee = agencies.iter().find(|a| a.kind == AgencyKind::PeopleCommittee).unwrap();
    assert_eq!(committee.code, "000.00.00.H21");
    for name in [
        "Văn phòng Ủy ban nhân dân tỉnh",
        "Sở Nội vụ",
        "Sở Tư pháp",
        "Sở Tài chính",
        "Sở Công Thương",
        "Sở Nông nghiệp và Môi trường",
        "Sở Xây dựng",
        "Sở Khoa học và Công nghệ",
        "Sở Văn hóa, Thể thao và Du lịch",
        "Sở Giáo dục và Đào tạo",
        "Sở Y tế",
        "Sở Dân tộc và Tôn giáo",
        "Thanh tra tỉnh",
        "Công an tỉnh",
    ] {
        let a = agencies.iter().find(|a| a.name == name).unwrap();
        assert_eq!(a.kind, AgencyKind::Department);
    }
    let codes: std::collections::HashSet<&str> = agencies.iter().map(|a| a.code.as_str()).collect();
    assert_eq!(codes.len(), agencies.len());
    for a in &agencies {
        assert!(is_nfc(&a.name));
        assert_eq!(a.electronic_code.level1(), "H21");
        assert_eq!(a.province_code, "52");
        assert!(!a.name_en.is_empty());
        let unit = a.to_admin_unit(Some(FIRST_DAY_2025));
        assert_eq!(unit.level, UnitLevel::Agency);
        assert_eq!(unit.parent_code.as_deref(), Some("52"));
    }
    let json = serde_json::to_value(centre).unwrap();
    assert_eq!(json["kind"], "service_centre");
    assert_eq!(json["electronic_code"], "000.00.12.H21");
    assert_eq!(provincial_agencies("22", "H49")[0].code, "000.00.00.H49");
    assert!(provincial_agencies("52", "h21").is_empty());
    assert!(try_provincial_agencies("52", "h21").is_err());
    assert!(try_provincial_agencies("52", "").is_err());
    assert_eq!(try_provincial_agencies("52", "H21").unwrap(), agencies);
}

#[test]
fn commune_codes_are_unique_and_stable() {
    assert_eq!(commune_electronic_code("H21", 0).unwrap().as_str(), "000.01.50.H21");
    assert_eq!(commune_electronic_code("H21", 98).unwrap().as_str(), "000.99.50.H21");
    assert_eq!(commune_electronic_code("H21", 99).unwrap().as_str(), "000.01.51.H21");
    assert_eq!(
        commune_electronic_code("H21", COMMUNE_CODE_CAPACITY - 1)
            .unwrap()
            .as_str(),
        "000.99.99.H21"
    );
    assert!(commune_electronic_code("H21", COMMUNE_CODE_CAPACITY).is_err());
    assert!(commune_electronic_code("H21", usize::MAX).is_err());
    assert!(commune_electronic_code("21", 0).is_err());

    let pairs = dir().commune_electronic_codes("52", "H21", FIRST_DAY_2025).unwrap();
    assert_eq!(pairs.len(), 135);
    let codes: std::collections::HashSet<String> = pairs.iter().map(|(_, c)| c.to_string()).collect();
    assert_eq!(codes.len(), 135);
    let agencies = provincial_agencies("52", "H21");
    assert!(agencies.iter().all(|a| !codes.contains(&a.code)));
    // The largest 2025 province fits comfortably.
    let max = dir()
        .provinces(FIRST_DAY_2025)
        .iter()
        .map(|p| dir().communes_of(&p.code, FIRST_DAY_2025).len())
        .max()
        .unwrap();
    assert!(max < COMMUNE_CODE_CAPACITY);
}
