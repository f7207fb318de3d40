//! `dbm key …`: the age identity encrypted copies are made for.

use std::io::Read;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use dbm_engine::secrets::Secret;
use dbm_engine::storage::encryption;
use dbm_engine::store::Store;

use super::output::print_json;
use crate::args::KeyCommand;

pub fn run(data_dir: &Path, command: KeyCommand) -> anyhow::Result<ExitCode> {
    let store = Store::open_in(data_dir)?;
    match command {
        KeyCommand::Show(output) => {
            let info = encryption::info(&store)?;
            if output.json {
                print_json(&info)?;
            } else {
                println!("public key: {}", info.recipient);
                for extra in &info.extra_recipients {
                    println!("also for:   {extra}");
                }
                match &info.exported_at {
                    Some(at) => println!("exported:   {at}"),
                    None => println!("exported:   NEVER — run dbm key export and keep the file safe: without it, encrypted copies cannot be read on another computer"),
                }
            }
        }
        KeyCommand::Export(args) => match &args.output {
            Some(file) => {
                encryption::export_to_file(&store, file)?;
                eprintln!(
                    "Wrote the key to {}. Keep it away from this computer.",
                    file.display()
                );
            }
            None => print!("{}", encryption::export(&store)?.expose()),
        },
        KeyCommand::Import(output) => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .context("could not read the key from stdin")?;
            let info = encryption::import(&store, &Secret::new(text))?;
            if output.json {
                print_json(&info)?;
            } else {
                println!("This installation's key is now {}.", info.recipient);
            }
        }
        KeyCommand::Recipients(args) => {
            let info = encryption::set_extra_recipients(&store, &args.keys)?;
            if args.output.json {
                print_json(&info)?;
            } else {
                println!(
                    "Copies are encrypted to {} and {} more.",
                    info.recipient,
                    info.extra_recipients.len()
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
