//! Asks the assistant the questions given on stdin, one a line, and prints the intent and the
//! three best procedures (a staff tool to check a dictionary edit):
//! `echo "lam cccd can gi" | cargo run --release -p motcua-assistant --example ask`.

use std::io::BufRead;

use motcua_assistant::{Assistant, Dictionary, Lang};

fn main() {
    let catalog = match motcua_store::reference::embedded_catalog() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("catalogue: {e}");
            return;
        }
    };
    let a = Assistant::new(catalog, Dictionary::bundled());
    for line in std::io::stdin().lock().lines().map_while(Result::ok) {
        let r = a.ask(&line, Lang::Vi);
        println!("«{line}» intent={} oos={}", r.intent.code(), r.out_of_scope);
        for c in r.procedures.iter().take(3) {
            let name: String = c.name.chars().take(70).collect();
            println!("    {} {:.2} {name}", c.code, c.score);
        }
    }
}
