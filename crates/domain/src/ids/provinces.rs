//! The 63 birth-registration province codes used as the first three digits of a personal
//! identification number.
//!
//! Source: GSO province codes in force until 2025-06-30 (data/units/units.csv, level `province`,
//! `valid_to` 2025-06-30; originally /work/shared/data/units/units-pre-2025.csv), each prefixed
//! with "0" as Luật Căn cước 2023 / TT 59/2021/TT-BCA do. The 2025 merger did not renumber
//! existing identification numbers, so this table stays frozen even though the units changed.

/// `(three-digit code, province name)` in code order.
pub const BIRTH_REGISTRATION_PROVINCES: [(&str, &str); 63] = [
    ("001", "Thành phố Hà Nội"),
    ("002", "Tỉnh Hà Giang"),
    ("004", "Tỉnh Cao Bằng"),
    ("006", "Tỉnh Bắc Kạn"),
    ("008", "Tỉnh Tuyên Quang"),
    ("010", "Tỉnh Lào Cai"),
    ("011", "Tỉnh Điện Biên"),
    ("012", "Tỉnh Lai Châu"),
    ("014", "Tỉnh Sơn La"),
    ("015", "Tỉnh Yên Bái"),
    ("017", "Tỉnh Hoà Bình"),
    ("019", "Tỉnh Thái Nguyên"),
    ("020", "Tỉnh Lạng Sơn"),
    ("022", "Tỉnh Quảng Ninh"),
    ("024", "Tỉnh Bắc Giang"),
    ("025", "Tỉnh Phú Thọ"),
    ("026", "Tỉnh Vĩnh Phúc"),
    ("027", "Tỉnh Bắc Ninh"),
    ("030", "Tỉnh Hải Dương"),
    ("031", "Thành phố Hải Phòng"),
    ("033", "Tỉnh Hưng Yên"),
    ("034", "Tỉnh Thái Bình"),
    ("035", "Tỉnh Hà Nam"),
    ("036", "Tỉnh Nam Định"),
    ("037", "Tỉnh Ninh Bình"),
    ("038", "Tỉnh Thanh Hóa"),
    ("040", "Tỉnh Nghệ An"),
    ("042", "Tỉnh Hà Tĩnh"),
    ("044", "Tỉnh Quảng Bình"),
    ("045", "Tỉnh Quảng Trị"),
    ("046", "Thành phố Huế"),
    ("048", "Thành phố Đà Nẵng"),
    ("049", "Tỉnh Quảng Nam"),
    ("051", "Tỉnh Quảng Ngãi"),
    ("052", "Tỉnh Bình Định"),
    ("054", "Tỉnh Phú Yên"),
    ("056", "Tỉnh Khánh Hòa"),
    ("058", "Tỉnh Ninh Thuận"),
    ("060", "Tỉnh Bình Thuận"),
    ("062", "Tỉnh Kon Tum"),
    ("064", "Tỉnh Gia Lai"),
    ("066", "Tỉnh Đắk Lắk"),
    ("067", "Tỉnh Đắk Nông"),
    ("068", "Tỉnh Lâm Đồng"),
    ("070", "Tỉnh Bình Phước"),
    ("072", "Tỉnh Tây Ninh"),
    ("074", "Tỉnh Bình Dương"),
    ("075", "Tỉnh Đồng Nai"),
    ("077", "Tỉnh Bà Rịa - Vũng Tàu"),
    ("079", "Thành phố Hồ Chí Minh"),
    ("080", "Tỉnh Long An"),
    ("082", "Tỉnh Tiền Giang"),
    ("083", "Tỉnh Bến Tre"),
    ("084", "Tỉnh Trà Vinh"),
    ("086", "Tỉnh Vĩnh Long"),
    ("087", "Tỉnh Đồng Tháp"),
    ("089", "Tỉnh An Giang"),
    ("091", "Tỉnh Kiên Giang"),
    ("092", "Thành phố Cần Thơ"),
    ("093", "Tỉnh Hậu Giang"),
    ("094", "Tỉnh Sóc Trăng"),
    ("095", "Tỉnh Bạc Liêu"),
    ("096", "Tỉnh Cà Mau"),
];

/// The name of a birth-registration province code such as `"064"`, if it is one of the 63.
pub fn birth_registration_province_name(code: &str) -> Option<&'static str> {
    BIRTH_REGISTRATION_PROVINCES
        .binary_search_by(|(c, _)| (*c).cmp(code))
        .ok()
        .map(|i| BIRTH_REGISTRATION_PROVINCES[i].1)
}
