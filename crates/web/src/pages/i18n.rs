//! UI text in Vietnamese (the default) and English. Every key is in both catalogues (a test
//! checks it, and that every key the templates and pages use exists); a missing key shows itself
//! rather than failing the page.

use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Vi,
    En,
}

impl Lang {
    pub fn parse(code: &str) -> Option<Lang> {
        match code.trim() {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Vi => Lang::En,
            Lang::En => Lang::Vi,
        }
    }

    /// The message `key` in this language.
    pub fn t(self, key: &str) -> &'static str {
        static TABLES: OnceLock<[HashMap<&'static str, &'static str>; 2]> = OnceLock::new();
        let tables = TABLES.get_or_init(|| {
            let all = |i: usize| PARTS.iter().flat_map(|p| [p.0, p.1][i].iter().copied()).collect();
            [all(0), all(1)]
        });
        let table = &tables[self as usize];
        table.get(key).copied().unwrap_or("[missing text]")
    }
}

/// This file's catalogues and those kept with their page modules (Vietnamese, English).
type Table = &'static [(&'static str, &'static str)];
const PARTS: &[(Table, Table)] = &[
    (VI, EN),
    (super::payment::VI, super::payment::EN),
    (super::feedback::VI, super::feedback::EN),
    (super::vneid::VI, super::vneid::EN),
    (super::backoffice::VI, super::backoffice::EN),
    (super::dashboards::VI, super::dashboards::EN),
];

const VI: &[(&str, &str)] = &[
    ("site.name", "Cổng dịch vụ công tỉnh Gia Lai"),
    ("site.tagline", "Thủ tục hành chính – nộp hồ sơ trực tuyến – tra cứu kết quả"),
    ("layout.skip", "Bỏ qua, đến nội dung chính"),
    ("layout.switch_lang", "English"),
    ("layout.nav_label", "Điều hướng chính"),
    ("layout.breadcrumbs", "Vị trí trang"),
    ("layout.signed_in_as", "Đã đăng nhập:"),
    ("layout.sign_out", "Đăng xuất"),
    ("session.warning", "Phiên làm việc sắp hết hạn do không hoạt động. Hãy lưu bản nháp hoặc tải lại trang để tiếp tục."),
    ("nav.home", "Trang chủ"),
    ("nav.procedures", "Thủ tục hành chính"),
    ("nav.lookup", "Tra cứu hồ sơ"),
    ("nav.assistant", "Trợ lý ảo"),
    ("nav.mine", "Hồ sơ của tôi"),
    ("nav.signin", "Đăng nhập"),
    ("footer.operator", "Cơ quan chủ quản: Ủy ban nhân dân tỉnh Gia Lai. Vận hành: Trung tâm Phục vụ hành chính công tỉnh."),
    ("footer.hotline", "Hỗ trợ: đường dây nóng 1022 trong giờ hành chính."),
    ("footer.api", "Giao diện lập trình (API)"),
    ("footer.licence", "Phần mềm nguồn mở motcua, giấy phép AGPL-3.0."),
    ("widget.title", "Hỏi trợ lý ảo"),
    ("widget.intro", "Hỏi về giấy tờ, thời hạn, lệ phí, nơi nộp hoặc tình trạng hồ sơ."),
    ("error.prefix", "Lỗi"),
    ("error.summary", "Có lỗi cần sửa"),
    ("error.home", "Về trang chủ"),
    ("error.search", "Tìm thủ tục hành chính"),
    ("error.assistant", "Hỏi trợ lý ảo"),
    ("error.400.title", "Yêu cầu không hợp lệ"),
    ("error.400.body", "Trang không hiểu được yêu cầu vừa gửi. Hãy quay lại và thử lại."),
    ("error.403.title", "Không thể thực hiện yêu cầu"),
    ("error.403.body", "Biểu mẫu đã hết hạn hoặc không hợp lệ. Hãy tải lại trang rồi gửi lại."),
    ("error.404.title", "Không tìm thấy trang"),
    ("error.404.body", "Địa chỉ có thể đã gõ sai hoặc trang không còn tồn tại. Hãy kiểm tra lại địa chỉ."),
    ("error.413.title", "Tệp quá lớn"),
    ("error.413.body", "Tệp gửi lên vượt quá dung lượng cho phép. Hãy chọn tệp nhỏ hơn."),
    ("error.500.title", "Hệ thống đang gặp sự cố"),
    ("error.500.body", "Xin lỗi, đã có lỗi xảy ra. Dữ liệu bạn đã lưu không bị mất. Hãy thử lại sau ít phút."),
    ("home.title", "Trang chủ"),
    ("home.heading", "Dịch vụ công trực tuyến tỉnh Gia Lai"),
    ("home.lead", "Tìm thủ tục hành chính, nộp hồ sơ trực tuyến và theo dõi kết quả giải quyết."),
    ("home.search_label", "Tìm thủ tục hành chính"),
    ("home.search_hint", "Gõ tên thủ tục, có dấu hoặc không dấu, ví dụ: đăng ký khai sinh"),
    ("home.most_used", "Thủ tục được dùng nhiều"),
    ("home.by_level", "Theo cấp thực hiện"),
    ("home.by_field", "Theo lĩnh vực"),
    ("home.all_procedures", "Xem tất cả thủ tục"),
    ("home.follow", "Theo dõi hồ sơ"),
    ("home.follow_text", "Nhập mã hồ sơ trên giấy tiếp nhận để xem tình trạng giải quyết, không cần đăng nhập."),
    ("search.title", "Tìm thủ tục hành chính"),
    ("search.title_for", "Kết quả tìm kiếm cho"),
    ("search.label", "Tên thủ tục"),
    ("search.level", "Cấp thực hiện"),
    ("search.field", "Lĩnh vực"),
    ("search.any_level", "Tất cả các cấp"),
    ("search.any_field", "Tất cả lĩnh vực"),
    ("search.button", "Tìm kiếm"),
    ("search.none", "Không tìm thấy thủ tục nào"),
    ("search.none_help", "Hãy thử từ khóa khác, bỏ bớt bộ lọc, hoặc hỏi"),
    ("search.procedures", "thủ tục"),
    ("search.results_for", "thủ tục phù hợp với"),
    ("search.pages", "Phân trang"),
    ("search.prev", "Trang trước"),
    ("search.next", "Trang sau"),
    ("search.page", "Trang"),
    ("level.province", "Cấp tỉnh"),
    ("level.commune", "Cấp xã"),
    ("level.central", "Cấp trung ương"),
    ("level.other", "Cơ quan khác"),
    ("online.full", "Trực tuyến toàn trình"),
    ("online.partial", "Trực tuyến một phần"),
    ("online.none", "Chỉ nộp trực tiếp hoặc qua bưu chính"),
    ("channel.counter", "Trực tiếp"),
    ("channel.online", "Trực tuyến"),
    ("channel.post", "Dịch vụ bưu chính"),
    ("unit.working_days", "ngày làm việc"),
    ("unit.days", "ngày"),
    ("unit.hours", "giờ"),
    ("unit.months", "tháng"),
    ("unit.years", "năm"),
    ("unit.within_day", "Trong ngày"),
    ("unit.dong", "đồng"),
    ("fee.free", "Miễn phí"),
    ("fee.council", "Theo nghị quyết của Hội đồng nhân dân tỉnh"),
    ("fee.unspecified", "Không có thông tin"),
    ("procedure.caption", "Thủ tục"),
    ("procedure.submit_online", "Nộp trực tuyến"),
    ("procedure.submit_hint", "Bạn cần đăng nhập. Có thể lưu bản nháp và tiếp tục sau."),
    ("procedure.field", "Lĩnh vực"),
    ("procedure.level", "Cấp thực hiện"),
    ("procedure.online", "Mức độ trực tuyến"),
    ("procedure.agency", "Cơ quan thực hiện"),
    ("procedure.target", "Đối tượng thực hiện"),
    ("procedure.results", "Kết quả"),
    ("procedure.where", "Nơi nộp hồ sơ"),
    ("procedure.time_fee", "Thời hạn giải quyết và phí, lệ phí"),
    ("procedure.channel", "Cách thức"),
    ("procedure.time", "Thời hạn"),
    ("procedure.fee", "Phí, lệ phí"),
    ("procedure.steps", "Trình tự thực hiện"),
    ("procedure.documents", "Thành phần hồ sơ"),
    ("procedure.documents_shown", "Giấy tờ phải xuất trình (mang theo để đối chiếu, không nộp lại)"),
    ("procedure.documents_notes", "Lưu ý về thành phần hồ sơ"),
    ("procedure.document", "Giấy tờ"),
    ("procedure.originals", "Bản chính"),
    ("procedure.copies", "Bản sao"),
    ("procedure.form", "Mẫu đơn, tờ khai"),
    ("procedure.conditions", "Yêu cầu, điều kiện"),
    ("procedure.legal", "Căn cứ pháp lý"),
    ("procedure.not_stated", "Không có thông tin"),
    ("procedure.source", "Nguồn: Cơ sở dữ liệu quốc gia về thủ tục hành chính."),
    ("procedure.source_link", "Xem trên Cổng Dịch vụ công quốc gia"),
    ("lookup.title", "Tra cứu hồ sơ"),
    ("lookup.label", "Mã hồ sơ"),
    ("lookup.hint", "Mã hồ sơ in trên giấy tiếp nhận, ví dụ: 000.00.12.H21-251013-0001"),
    ("lookup.button", "Tra cứu"),
    ("lookup.error.malformed", "Nhập mã hồ sơ đúng dạng, ví dụ: 000.00.12.H21-251013-0001"),
    ("lookup.error.unknown", "Không tìm thấy hồ sơ có mã này. Hãy kiểm tra lại mã trên giấy tiếp nhận"),
    ("lookup.result", "Hồ sơ"),
    ("lookup.procedure", "Thủ tục"),
    ("lookup.unit", "Cơ quan giải quyết"),
    ("lookup.step", "Đang xử lý tại bước"),
    ("lookup.submitted", "Ngày nộp"),
    ("lookup.received", "Ngày tiếp nhận"),
    ("lookup.due", "Ngày hẹn trả"),
    ("lookup.time_left", "Thời gian còn lại"),
    ("lookup.finished", "Ngày có kết quả"),
    ("lookup.history", "Quá trình giải quyết"),
    ("lookup.privacy", "Trang này không hiển thị thông tin cá nhân của người nộp hồ sơ."),
    ("assistant.title", "Trợ lý ảo"),
    ("assistant.lead", "Hỏi bằng lời của bạn, có dấu hoặc không dấu. Trợ lý trả lời từ dữ liệu thủ tục hành chính chính thức và ghi rõ mã thủ tục."),
    ("assistant.question", "Câu hỏi của bạn"),
    ("assistant.hint", "Ví dụ: làm giấy khai sinh cần gì; hoặc nhập mã hồ sơ để xem tình trạng"),
    ("assistant.ask", "Gửi câu hỏi"),
    ("assistant.you", "Bạn hỏi"),
    ("assistant.bot", "Trợ lý ảo trả lời"),
    ("assistant.related", "Thủ tục liên quan:"),
    ("assistant.choices", "Bạn muốn hỏi về thủ tục nào?"),
    ("assistant.open_lookup", "Xem chi tiết tình trạng hồ sơ"),
    ("assistant.examples", "Bạn có thể hỏi"),
    ("assistant.example1", "Đăng ký khai sinh cho con cần giấy tờ gì?"),
    ("assistant.example2", "lam lai can cuoc bi mat mat bao lau"),
    ("assistant.example3", "Lệ phí đăng ký kết hôn là bao nhiêu?"),
    ("assistant.error.empty", "Nhập câu hỏi của bạn"),
    ("assistant.error.long", "Câu hỏi dài tối đa 1.000 ký tự"),
    ("assistant.error.network", "Không gửi được câu hỏi. Hãy thử lại."),
    ("signin.title", "Đăng nhập"),
    ("signin.lead", "Đăng nhập bằng tài khoản đã đăng ký tại Cổng dịch vụ công của tỉnh."),
    ("signin.username", "Tên đăng nhập"),
    ("signin.password", "Mật khẩu"),
    ("signin.button", "Đăng nhập"),
    ("signin.vneid_note", "Phiên đăng nhập tự kết thúc sau 30 phút không hoạt động."),
    ("signin.error.username", "Nhập tên đăng nhập"),
    ("signin.error.password", "Nhập mật khẩu"),
    ("signin.error.wrong", "Tên đăng nhập hoặc mật khẩu không đúng"),
    ("signin.error.limited", "Bạn đã nhập sai quá nhiều lần. Hãy thử lại sau 15 phút"),
    ("mine.title", "Hồ sơ của tôi"),
    ("mine.actions", "Việc có thể làm"),
    ("mine.pay", "Thanh toán"),
    ("mine.rate", "Đánh giá"),
    ("mine.pakn", "Phản ánh, kiến nghị"),
    ("mine.receipt", "Giấy tiếp nhận và hẹn trả kết quả (PDF)"),
    ("mine.hello", "Xin chào"),
    ("mine.eid0", "Bạn đăng nhập bằng mật khẩu."),
    ("mine.eid1", "Bạn đăng nhập bằng tài khoản định danh điện tử mức 1."),
    ("mine.eid2", "Bạn đăng nhập bằng tài khoản định danh điện tử mức 2."),
    ("mine.new", "Nộp hồ sơ mới: tìm thủ tục"),
    ("mine.dossiers", "Hồ sơ đã nộp"),
    ("mine.none", "Bạn chưa nộp hồ sơ nào."),
    ("mine.code", "Mã hồ sơ"),
    ("mine.status", "Trạng thái"),
    ("submit.title", "Nộp hồ sơ trực tuyến"),
    ("submit.caption", "Nộp hồ sơ trực tuyến"),
    ("submit.lead", "Điền thông tin và tải lên giấy tờ. Bạn có thể lưu bản nháp và tiếp tục sau; hồ sơ chỉ được gửi khi bạn xác nhận ở bước kiểm tra."),
    ("submit.where", "Nơi giải quyết"),
    ("submit.unit", "Cơ quan giải quyết"),
    ("submit.unit_hint", "Chọn Ủy ban nhân dân xã, phường nơi bạn cư trú hoặc cơ quan cấp tỉnh có thẩm quyền."),
    ("submit.choose", "Chọn cơ quan"),
    ("submit.applicant", "Thông tin người nộp"),
    ("submit.prefilled", "Thông tin đã điền sẵn từ tài khoản của bạn. Hãy kiểm tra lại."),
    ("submit.prefilled_eid", "Thông tin đã điền sẵn từ tài khoản định danh điện tử của bạn."),
    ("submit.name", "Họ và tên"),
    ("submit.personal_id", "Số định danh cá nhân"),
    ("submit.personal_id_hint", "12 chữ số trên thẻ căn cước"),
    ("submit.birth_date", "Ngày sinh"),
    ("submit.phone", "Số điện thoại"),
    ("submit.phone_hint", "Để nhận thông báo về hồ sơ, ví dụ: 0912345678"),
    ("submit.email", "Thư điện tử"),
    ("submit.address", "Địa chỉ liên hệ"),
    ("submit.documents", "Giấy tờ kèm theo"),
    ("submit.documents_hint", "Tải lên bản chụp hoặc bản quét của từng giấy tờ (PDF, JPEG hoặc PNG, tối đa 10 MB mỗi tệp)."),
    ("submit.file_hint", "Chưa tải lên"),
    ("submit.uploaded", "Đã tải lên:"),
    ("submit.no_uploads", "Hệ thống này không nhận tệp. Bạn mang giấy tờ đến bộ phận một cửa khi được hẹn."),
    ("submit.documents_shown", "Giấy tờ phải xuất trình: không cần tải lên, mang bản chính khi đến nhận kết quả hoặc khi được yêu cầu."),
    ("submit.documents_notes", "Lưu ý"),
    ("submit.continue", "Tiếp tục"),
    ("submit.save", "Lưu bản nháp"),
    ("submit.saved", "Đã lưu bản nháp. Bạn có thể quay lại trang này để tiếp tục."),
    ("submit.error.unit", "Chọn cơ quan giải quyết"),
    ("submit.error.name", "Nhập họ và tên"),
    ("submit.error.name_long", "Họ và tên dài tối đa 200 ký tự"),
    ("submit.error.personal_id", "Số định danh cá nhân gồm 12 chữ số hợp lệ, khớp với ngày sinh"),
    ("submit.error.birth_date", "Ngày sinh phải là một ngày trong quá khứ"),
    ("submit.error.phone", "Số điện thoại gồm 10 chữ số, ví dụ: 0912345678"),
    ("submit.error.email", "Nhập địa chỉ thư điện tử đúng dạng, ví dụ: ten@example.vn"),
    ("submit.error.address", "Địa chỉ dài tối đa 500 ký tự"),
    ("submit.error.file_size", "Tệp phải nhỏ hơn 10 MB"),
    ("submit.error.file_type", "Tệp phải là PDF, JPEG hoặc PNG"),
    ("check.title", "Kiểm tra thông tin trước khi gửi"),
    ("check.change", "Thay đổi"),
    ("check.change_files", "Thay đổi giấy tờ đã tải lên"),
    ("check.no_files", "Chưa tải lên giấy tờ nào."),
    ("check.fix", "Quay lại để sửa thông tin"),
    ("check.declaration", "Cam đoan"),
    ("check.declaration_text", "Khi gửi hồ sơ, tôi cam đoan thông tin trên là đúng sự thật và chịu trách nhiệm trước pháp luật."),
    ("check.send", "Gửi hồ sơ"),
    ("done.title", "Đã nộp hồ sơ"),
    ("done.code", "Mã hồ sơ của bạn"),
    ("done.next", "Tiếp theo"),
    ("done.next1", "Bộ phận một cửa kiểm tra hồ sơ và tiếp nhận, hoặc đề nghị bổ sung nếu còn thiếu."),
    ("done.next2", "Khi hồ sơ được tiếp nhận, bạn nhận được ngày hẹn trả kết quả."),
    ("done.next3", "Bạn theo dõi tình trạng hồ sơ bằng mã hồ sơ hoặc trong mục Hồ sơ của tôi."),
    ("done.documents", "Giấy tờ đã gửi"),
    ("done.follow", "Tra cứu tình trạng hồ sơ"),
    ("done.qr", "Mã QR tra cứu"),
    ("done.qr_label", "Mã QR dẫn đến trang tra cứu hồ sơ"),
    ("done.qr_caption", "Quét mã để mở trang tra cứu hồ sơ này."),
];

const EN: &[(&str, &str)] = &[
    ("site.name", "Gia Lai Province Public Service Portal"),
    ("site.tagline", "Administrative procedures – apply online – track your application"),
    ("layout.skip", "Skip to main content"),
    ("layout.switch_lang", "Tiếng Việt"),
    ("layout.nav_label", "Main navigation"),
    ("layout.breadcrumbs", "Breadcrumbs"),
    ("layout.signed_in_as", "Signed in:"),
    ("layout.sign_out", "Sign out"),
    ("session.warning", "Your session will end soon because of inactivity. Save a draft or reload the page to continue."),
    ("nav.home", "Home"),
    ("nav.procedures", "Procedures"),
    ("nav.lookup", "Track an application"),
    ("nav.assistant", "Virtual assistant"),
    ("nav.mine", "My applications"),
    ("nav.signin", "Sign in"),
    ("footer.operator", "Owner: People's Committee of Gia Lai Province. Operated by the provincial Public Administration Service Centre."),
    ("footer.hotline", "Help: hotline 1022 during office hours."),
    ("footer.api", "Programming interface (API)"),
    ("footer.licence", "motcua open-source software, AGPL-3.0 licence."),
    ("widget.title", "Ask the virtual assistant"),
    ("widget.intro", "Ask about documents, processing time, fees, where to apply or the status of an application."),
    ("error.prefix", "Error"),
    ("error.summary", "There is a problem"),
    ("error.home", "Go to the home page"),
    ("error.search", "Find a procedure"),
    ("error.assistant", "Ask the virtual assistant"),
    ("error.400.title", "Invalid request"),
    ("error.400.body", "The page could not understand the request. Go back and try again."),
    ("error.403.title", "The request cannot be carried out"),
    ("error.403.body", "The form has expired or is not valid. Reload the page and send it again."),
    ("error.404.title", "Page not found"),
    ("error.404.body", "The address may have been mistyped or the page no longer exists. Check the address."),
    ("error.413.title", "File too large"),
    ("error.413.body", "The file sent is larger than allowed. Choose a smaller file."),
    ("error.500.title", "Sorry, there is a problem with the service"),
    ("error.500.body", "Something went wrong. What you have saved is not lost. Try again in a few minutes."),
    ("home.title", "Home"),
    ("home.heading", "Online public services of Gia Lai Province"),
    ("home.lead", "Find administrative procedures, apply online and follow your application."),
    ("home.search_label", "Find a procedure"),
    ("home.search_hint", "Type the procedure's name, with or without Vietnamese accents, e.g. đăng ký khai sinh"),
    ("home.most_used", "Most used procedures"),
    ("home.by_level", "By level"),
    ("home.by_field", "By field"),
    ("home.all_procedures", "See all procedures"),
    ("home.follow", "Track an application"),
    ("home.follow_text", "Enter the code on your receipt to see the status of your application, no sign-in needed."),
    ("search.title", "Find a procedure"),
    ("search.title_for", "Search results for"),
    ("search.label", "Procedure name"),
    ("search.level", "Level"),
    ("search.field", "Field"),
    ("search.any_level", "All levels"),
    ("search.any_field", "All fields"),
    ("search.button", "Search"),
    ("search.none", "No procedure found"),
    ("search.none_help", "Try other words, remove a filter, or ask the"),
    ("search.procedures", "procedures"),
    ("search.results_for", "procedures match"),
    ("search.pages", "Pagination"),
    ("search.prev", "Previous page"),
    ("search.next", "Next page"),
    ("search.page", "Page"),
    ("level.province", "Province level"),
    ("level.commune", "Commune level"),
    ("level.central", "Central level"),
    ("level.other", "Other agencies"),
    ("online.full", "Fully online"),
    ("online.partial", "Partly online"),
    ("online.none", "At the counter or by post only"),
    ("channel.counter", "In person"),
    ("channel.online", "Online"),
    ("channel.post", "By post"),
    ("unit.working_days", "working days"),
    ("unit.days", "days"),
    ("unit.hours", "hours"),
    ("unit.months", "months"),
    ("unit.years", "years"),
    ("unit.within_day", "Within the day"),
    ("unit.dong", "dong"),
    ("fee.free", "Free"),
    ("fee.council", "As set by the Provincial People's Council"),
    ("fee.unspecified", "No information"),
    ("procedure.caption", "Procedure"),
    ("procedure.submit_online", "Apply online"),
    ("procedure.submit_hint", "You need to sign in. You can save a draft and continue later."),
    ("procedure.field", "Field"),
    ("procedure.level", "Level"),
    ("procedure.online", "Online service level"),
    ("procedure.agency", "Responsible agency"),
    ("procedure.target", "Who can apply"),
    ("procedure.results", "Result"),
    ("procedure.where", "Where to apply"),
    ("procedure.time_fee", "Processing time and fees"),
    ("procedure.channel", "How"),
    ("procedure.time", "Processing time"),
    ("procedure.fee", "Fees"),
    ("procedure.steps", "Steps"),
    ("procedure.documents", "Documents"),
    ("procedure.documents_shown", "Papers to show (brought for checking, not handed in)"),
    ("procedure.documents_notes", "Notes on the documents"),
    ("procedure.document", "Document"),
    ("procedure.originals", "Originals"),
    ("procedure.copies", "Copies"),
    ("procedure.form", "Form"),
    ("procedure.conditions", "Requirements"),
    ("procedure.legal", "Legal basis"),
    ("procedure.not_stated", "No information"),
    ("procedure.source", "Source: the National Database of Administrative Procedures (in Vietnamese)."),
    ("procedure.source_link", "See it on the National Public Service Portal"),
    ("lookup.title", "Track an application"),
    ("lookup.label", "Application code"),
    ("lookup.hint", "The code printed on your receipt, e.g. 000.00.12.H21-251013-0001"),
    ("lookup.button", "Track"),
    ("lookup.error.malformed", "Enter the code in the right format, e.g. 000.00.12.H21-251013-0001"),
    ("lookup.error.unknown", "No application has this code. Check the code on your receipt"),
    ("lookup.result", "Application"),
    ("lookup.procedure", "Procedure"),
    ("lookup.unit", "Deciding agency"),
    ("lookup.step", "Current step"),
    ("lookup.submitted", "Submitted"),
    ("lookup.received", "Received"),
    ("lookup.due", "Result due"),
    ("lookup.time_left", "Time left"),
    ("lookup.finished", "Result issued"),
    ("lookup.history", "History"),
    ("lookup.privacy", "This page shows no personal data of the applicant."),
    ("assistant.title", "Virtual assistant"),
    ("assistant.lead", "Ask in your own words, in Vietnamese or English. Answers come from the official procedure data and cite the procedure code."),
    ("assistant.question", "Your question"),
    ("assistant.hint", "For example: làm giấy khai sinh cần gì; or type an application code to see its status"),
    ("assistant.ask", "Send question"),
    ("assistant.you", "You asked"),
    ("assistant.bot", "The assistant answers"),
    ("assistant.related", "Related procedures:"),
    ("assistant.choices", "Which procedure do you mean?"),
    ("assistant.open_lookup", "See the application's status"),
    ("assistant.examples", "You can ask"),
    ("assistant.example1", "Đăng ký khai sinh cho con cần giấy tờ gì?"),
    ("assistant.example2", "lam lai can cuoc bi mat mat bao lau"),
    ("assistant.example3", "Lệ phí đăng ký kết hôn là bao nhiêu?"),
    ("assistant.error.empty", "Enter your question"),
    ("assistant.error.long", "A question is at most 1,000 characters"),
    ("assistant.error.network", "The question could not be sent. Try again."),
    ("signin.title", "Sign in"),
    ("signin.lead", "Sign in with the account you registered on the province's public service portal."),
    ("signin.username", "Username"),
    ("signin.password", "Password"),
    ("signin.button", "Sign in"),
    ("signin.vneid_note", "You are signed out after 30 minutes without activity."),
    ("signin.error.username", "Enter your username"),
    ("signin.error.password", "Enter your password"),
    ("signin.error.wrong", "The username or password is not correct"),
    ("signin.error.limited", "Too many wrong attempts. Try again in 15 minutes"),
    ("mine.title", "My applications"),
    ("mine.actions", "What you can do"),
    ("mine.pay", "Pay"),
    ("mine.rate", "Rate"),
    ("mine.pakn", "Feedback or complaint"),
    ("mine.receipt", "Receipt and appointment (PDF)"),
    ("mine.hello", "Hello"),
    ("mine.eid0", "You signed in with a password."),
    ("mine.eid1", "You signed in with an electronic identity, level 1."),
    ("mine.eid2", "You signed in with an electronic identity, level 2."),
    ("mine.new", "Start a new application: find a procedure"),
    ("mine.dossiers", "Applications submitted"),
    ("mine.none", "You have not submitted any application."),
    ("mine.code", "Code"),
    ("mine.status", "Status"),
    ("submit.title", "Apply online"),
    ("submit.caption", "Apply online"),
    ("submit.lead", "Fill in your details and upload the documents. You can save a draft and continue later; the application is only sent when you confirm it on the check page."),
    ("submit.where", "Where it is decided"),
    ("submit.unit", "Deciding agency"),
    ("submit.unit_hint", "Choose the People's Committee of the commune or ward where you live, or the competent provincial agency."),
    ("submit.choose", "Choose an agency"),
    ("submit.applicant", "Applicant"),
    ("submit.prefilled", "Filled in from your account. Check the details."),
    ("submit.prefilled_eid", "Filled in from your electronic identity account."),
    ("submit.name", "Full name"),
    ("submit.personal_id", "Personal identification number"),
    ("submit.personal_id_hint", "The 12 digits on your citizen identity card"),
    ("submit.birth_date", "Date of birth"),
    ("submit.phone", "Phone number"),
    ("submit.phone_hint", "To be told about your application, e.g. 0912345678"),
    ("submit.email", "Email"),
    ("submit.address", "Contact address"),
    ("submit.documents", "Documents"),
    ("submit.documents_hint", "Upload a photo or scan of each document (PDF, JPEG or PNG, at most 10 MB each)."),
    ("submit.file_hint", "Not uploaded yet"),
    ("submit.uploaded", "Uploaded:"),
    ("submit.no_uploads", "This service does not take files. Bring your documents to the one-stop counter when invited."),
    ("submit.documents_shown", "Papers to show: no upload needed, bring the originals when you collect the result or when asked."),
    ("submit.documents_notes", "Notes"),
    ("submit.continue", "Continue"),
    ("submit.save", "Save draft"),
    ("submit.saved", "Draft saved. Come back to this page to continue."),
    ("submit.error.unit", "Choose the deciding agency"),
    ("submit.error.name", "Enter your full name"),
    ("submit.error.name_long", "The full name is at most 200 characters"),
    ("submit.error.personal_id", "The personal identification number has 12 valid digits matching the date of birth"),
    ("submit.error.birth_date", "The date of birth must be in the past"),
    ("submit.error.phone", "The phone number has 10 digits, e.g. 0912345678"),
    ("submit.error.email", "Enter an email address in the right format, e.g. name@example.vn"),
    ("submit.error.address", "The address is at most 500 characters"),
    ("submit.error.file_size", "The file must be smaller than 10 MB"),
    ("submit.error.file_type", "The file must be a PDF, JPEG or PNG"),
    ("check.title", "Check your answers before sending"),
    ("check.change", "Change"),
    ("check.change_files", "Change the uploaded documents"),
    ("check.no_files", "No document uploaded."),
    ("check.fix", "Go back and correct the details"),
    ("check.declaration", "Declaration"),
    ("check.declaration_text", "By sending this application I declare that the information above is true and I am responsible for it before the law."),
    ("check.send", "Send application"),
    ("done.title", "Application submitted"),
    ("done.code", "Your application code"),
    ("done.next", "What happens next"),
    ("done.next1", "The one-stop counter checks your application and accepts it, or asks for missing documents."),
    ("done.next2", "Once accepted, you get the date your result is due."),
    ("done.next3", "Follow your application with its code or under My applications."),
    ("done.documents", "Documents sent"),
    ("done.follow", "Track this application"),
    ("done.qr", "QR code for tracking"),
    ("done.qr_label", "QR code linking to this application's tracking page"),
    ("done.qr_caption", "Scan the code to open this application's tracking page."),
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn keys(table: &[(&'static str, &str)]) -> BTreeSet<&'static str> {
        table.iter().map(|(k, _)| *k).collect()
    }

    #[test]
    fn both_catalogues_have_the_same_keys_once_each() {
        let all: Vec<_> = PARTS.iter().flat_map(|p| p.0.iter()).collect();
        assert_eq!(
            all.iter().map(|(k, _)| *k).collect::<BTreeSet<_>>().len(),
            all.len(),
            "a key is repeated"
        );
        for &(vi, en) in PARTS {
            assert_eq!(keys(vi).len(), vi.len(), "a Vietnamese key is repeated");
            assert_eq!(keys(en).len(), en.len(), "an English key is repeated");
            let only_vi: Vec<_> = keys(vi).difference(&keys(en)).copied().collect();
            let only_en: Vec<_> = keys(en).difference(&keys(vi)).copied().collect();
            assert!(
                only_vi.is_empty() && only_en.is_empty(),
                "vi only {only_vi:?}, en only {only_en:?}"
            );
        }
    }

    #[test]
    fn texts_are_nfc_and_not_empty() {
        for (k, v) in PARTS.iter().flat_map(|p| p.0.iter().chain(p.1)) {
            assert!(!v.trim().is_empty(), "{k}");
            assert_eq!(motcua_domain::text::nfc(v), *v, "{k} is not NFC");
        }
    }

    /// Every `t("…")` of the templates and page code names a key of the catalogues.
    #[test]
    fn every_used_key_exists() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut sources = Vec::new();
        // Sub-directories too (`templates/can_bo`, `src/pages/backoffice`).
        let mut dirs = vec![dir.join("templates"), dir.join("src/pages")];
        while let Some(d) = dirs.pop() {
            for entry in std::fs::read_dir(d).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else {
                    sources.push(std::fs::read_to_string(path).unwrap());
                }
            }
        }
        let known: BTreeSet<&str> = PARTS.iter().flat_map(|p| keys(p.0)).collect();
        let mut used = 0;
        for text in &sources {
            // `l.t("…")`, `lang.t("…")`: the method call, not any word ending in t.
            for (i, _) in text.match_indices(".t(\"") {
                let rest = &text[i + 4..];
                let key = &rest[..rest.find('"').unwrap()];
                if key.contains('.') && !key.contains(' ') {
                    used += 1;
                    assert!(known.contains(key), "unknown message key {key:?}");
                }
            }
        }
        assert!(used > 100, "only {used} keys found: is the scan broken?");
        assert_eq!(Lang::Vi.t("site.name"), "Cổng dịch vụ công tỉnh Gia Lai");
        // Built at run time so that the scan above does not take it for a used key.
        let unknown = ["no", "such", "key"].join(".");
        assert_eq!(Lang::En.t(&unknown), "[missing text]");
    }
}
