//! Render time of each form, cold and warm: `cargo run -p motcua-reports --example render_times`.
//! Writes the PDFs to the directory given as the first argument (default: none written).

use std::time::Instant as Clock;

use chrono::DateTime;
use motcua_reports::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args().nth(1).map(std::path::PathBuf::from);
    let at = |s: &str| DateTime::parse_from_rfc3339(s);
    let info = DossierInfo {
        issuer: Issuer {
            authority: "Ủy ban nhân dân tỉnh Gia Lai".into(),
            body: "Trung tâm Phục vụ hành chính công tỉnh".into(),
            place: "Gia Lai".into(),
        },
        issued_at: at("2026-04-13T09:15:00+07:00")?,
        code: "000.00.12.H21-260413-0001".into(),
        procedure_code: "1.001193".into(),
        procedure_name: "Đăng ký khai sinh".into(),
        competent_body: "Ủy ban nhân dân xã Ia Grai".into(),
        receiving_body: "Trung tâm Phục vụ hành chính công tỉnh".into(),
        applicant: Addressee {
            name: "Nguyễn Thị Ánh Tuyết".into(),
            address: Some("12 Trần Hưng Đạo, phường Pleiku, tỉnh Gia Lai".into()),
            phone: Some("0905 123 456".into()),
            email: Some("anhtuyet@example.vn".into()),
        },
        received_at: Some(at("2026-04-13T09:10:00+07:00")?),
        appointment: Some(at("2026-04-17T16:30:00+07:00")?),
    };
    let received = at("2026-04-13T09:10:00+07:00")?;
    let reasons = vec![
        "Bản sao giấy chứng nhận kết hôn của cha, mẹ.".to_string(),
        "Giấy tờ chứng minh nơi cư trú.".to_string(),
    ];
    let forms = vec![
        Form::Receipt {
            papers: vec![
                PaperLine {
                    name: "Tờ khai đăng ký khai sinh theo mẫu".into(),
                    originals: 1,
                    copies: 0,
                },
                PaperLine {
                    name: "Giấy chứng sinh".into(),
                    originals: 1,
                    copies: 0,
                },
                PaperLine {
                    name: "Giấy chứng nhận kết hôn của cha, mẹ".into(),
                    originals: 0,
                    copies: 1,
                },
            ],
            legal_time: "01 ngày làm việc".into(),
            lookup_url: "https://dichvucong.gialai.gov.vn/tra-cuu?ma=000.00.12.H21-260413-0001".into(),
            officer: "Nguyễn Thị Hồng".into(),
        },
        Form::SupplementRequest {
            requested_at: at("2026-04-14T10:00:00+07:00")?,
            items: reasons.clone(),
            officer: "Trần Văn Đức".into(),
        },
        Form::Refusal {
            refused_at: at("2026-04-14T10:00:00+07:00")?,
            reasons: reasons.clone(),
            officer: "Trần Văn Đức".into(),
        },
        Form::Apology {
            previous_appointment: at("2026-04-17T16:30:00+07:00")?,
            new_appointment: at("2026-04-24T16:30:00+07:00")?,
            reasons: reasons.clone(),
            officer: "Lê Quốc Việt".into(),
        },
        Form::StopNotice {
            stopped_at: at("2026-04-15T08:00:00+07:00")?,
            reasons,
            officer: "Lê Quốc Việt".into(),
        },
        Form::ControlSheet {
            steps: (0..6)
                .map(|i| HandOver {
                    at: received + chrono::Duration::hours(3 * i),
                    giver: format!("Cán bộ {i} – Chuyên viên thẩm định"),
                    receiver: "Lãnh đạo phê duyệt".into(),
                    verdict: Some("Đúng hạn".into()),
                    note: "Chuyển bước".into(),
                })
                .collect(),
            outcome: Some("Đã trả kết quả – Đúng hạn".into()),
        },
    ];
    let t = Clock::now();
    warm_up();
    println!("fonts and templates loaded: {:.1} ms", t.elapsed().as_secs_f64() * 1e3);
    for form in &forms {
        let t = Clock::now();
        let pdf = render_pdf(&info, form)?;
        let cold = t.elapsed().as_secs_f64() * 1e3;
        let mut warm = Vec::new();
        for i in 0..10 {
            let mut varied = info.clone();
            varied.code = format!("000.00.12.H21-260413-{:04}", i + 2);
            let t = Clock::now();
            render_pdf(&varied, form)?;
            warm.push(t.elapsed().as_secs_f64() * 1e3);
        }
        warm.sort_by(f64::total_cmp);
        println!(
            "form {}: first {cold:.1} ms, warm median {:.1} ms, max {:.1} ms, {} bytes",
            form.number(),
            warm[warm.len() / 2],
            warm[warm.len() - 1],
            pdf.len()
        );
        if let Some(dir) = &out {
            std::fs::write(dir.join(format!("form-{}.pdf", form.number())), &pdf)?;
        }
    }
    Ok(())
}
