//! `motcua bench assistant`: accuracy on the bundled tuning and held-out question sets, the index
//! build time, and latency of `POST /api/v1/assistant/ask` over HTTP against a real server.

use std::io::{BufRead, BufReader, Read, Write};
use std::time::Instant;

use anyhow::Context;
use motcua_assistant::{eval, Assistant, Dictionary};
use motcua_store::{reference, Store};
use motcua_web::{AppState, WebSettings};

use super::percentile_ms;

/// One keep-alive HTTP/1.1 POST of a JSON body; returns the status code.
fn post_json(stream: &mut BufReader<std::net::TcpStream>, path: &str, body: &str) -> anyhow::Result<u16> {
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.get_mut().write_all(request.as_bytes())?;
    let mut status_line = String::new();
    stream.read_line(&mut status_line)?;
    let status: u16 = status_line.split_whitespace().nth(1).context("no status")?.parse()?;
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        stream.read_line(&mut line)?;
        if line == "\r\n" || line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse()?;
            }
        }
    }
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body)?;
    Ok(status)
}

pub async fn run() -> anyhow::Result<()> {
    let procedures = reference::embedded_catalog()?;
    let started = Instant::now();
    let assistant = Assistant::new(procedures, Dictionary::bundled_checked()?);
    let build_ms = started.elapsed().as_secs_f64() * 1e3;
    let tuning = eval::load_questions(eval::BUNDLED_QUESTIONS)?;
    let heldout = eval::load_questions(eval::BUNDLED_HELDOUT)?;
    let tuning_report = eval::run(&assistant, &tuning);
    let heldout_report = eval::run(&assistant, &heldout);
    println!("assistant: index built in {build_ms:.0} ms over the 2,642 procedures");
    println!("\ntuning set ({} questions)\n{tuning_report}", tuning.len());
    println!("\nheld-out set ({} questions)\n{heldout_report}", heldout.len());

    // Over HTTP: a real server on a free port, questions sent one after another on one connection.
    let dir = std::env::temp_dir().join(format!("motcua-bench-assistant-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let store = Store::open(&format!("sqlite://{}", dir.join("bench.sqlite").display())).await?;
    reference::load_reference_if_empty(&store).await?;
    let state = AppState::load(store.clone(), WebSettings::default()).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(motcua_web::serve(listener, state, async move {
        let _ = stopped.await;
    }));
    let questions: Vec<String> = tuning
        .iter()
        .chain(heldout.iter())
        .map(|q| q.question.clone())
        .collect();
    let samples = tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<u64>> {
        let mut stream = BufReader::new(std::net::TcpStream::connect(addr)?);
        let mut samples = Vec::with_capacity(questions.len() * 3);
        for round in 0..3 {
            for q in &questions {
                let body = serde_json::json!({ "question": q }).to_string();
                let t = Instant::now();
                let status = post_json(&mut stream, "/api/v1/assistant/ask", &body)?;
                anyhow::ensure!(status == 200, "HTTP {status} for a bench question");
                if round > 0 {
                    samples.push(t.elapsed().as_nanos() as u64);
                }
            }
        }
        Ok(samples)
    })
    .await??;
    let _ = stop.send(());
    let _ = server.await;
    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    let mut sorted = samples;
    sorted.sort_unstable();
    let (p50, p99) = (percentile_ms(&sorted, 50.0), percentile_ms(&sorted, 99.0));
    println!(
        "\nover HTTP ({} requests, one keep-alive connection): p50 {p50:.2} ms, p99 {p99:.2} ms",
        sorted.len()
    );
    println!(
        "{}",
        serde_json::json!({"bench": "assistant", "index_build_ms": build_ms.round(), "tuning": tuning_report.to_json(),
            "heldout": heldout_report.to_json(), "http_requests": sorted.len(), "http_p50_ms": p50, "http_p99_ms": p99})
    );
    Ok(())
}
