//! Durable writes on SQLite (`synchronous=FULL`), measured in one run:
//! 1. a bare loop committing one row per transaction (the per-fsync ceiling of this disk);
//! 2. the store's group-commit writer with 64 concurrent writers, each write acknowledged
//!    only after the commit that holds it.
//!
//! Usage: `cargo run --release -p ballast-store-sqlite --example write_bench [SECONDS] [both|bare|store] [FOLDER]`
//!
//! `bare` runs only the bare loop and `store` only the store (`bench/run.py checkins` runs
//! `bare` between its HTTP rounds); FOLDER is where the temporary database files go (the
//! system's temporary folder by default), so that a comparison can share one disk.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use ballast_core::instrument::{Answers, InstrumentId};
use ballast_core::{Email, TimeZoneName};
use ballast_store::{NewUser, Store};
use ballast_store_sqlite::SqliteStore;

const WRITERS: usize = 64;

fn bare_loop(path: &std::path::Path, seconds: u64) -> f64 {
    let connection = rusqlite::Connection::open(path).unwrap();
    connection
        .execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
             CREATE TABLE rows (id INTEGER PRIMARY KEY, body TEXT NOT NULL, at INTEGER NOT NULL);",
        )
        .unwrap();
    let started = Instant::now();
    let mut rows = 0u64;
    while started.elapsed() < Duration::from_secs(seconds) {
        connection.execute_batch("BEGIN IMMEDIATE").unwrap();
        connection
            .execute(
                "INSERT INTO rows (body, at) VALUES (?1, ?2)",
                ("a row of about the size of a check-in", rows as i64),
            )
            .unwrap();
        connection.execute_batch("COMMIT").unwrap();
        rows += 1;
    }
    rows as f64 / started.elapsed().as_secs_f64()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let seconds: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(5);
    let mode = args.get(2).map_or("both", String::as_str);
    assert!(["both", "bare", "store"].contains(&mode), "the mode is both, bare or store, not {mode}");
    let folder = match args.get(3) {
        Some(parent) => tempfile::tempdir_in(parent).unwrap(),
        None => tempfile::tempdir().unwrap(),
    };

    if mode != "store" {
        let bare = bare_loop(&folder.path().join("bare.sqlite3"), seconds);
        println!("bare loop, one row per commit: {bare:.0} rows/s");
    }
    if mode == "bare" {
        return;
    }

    let store = Arc::new(SqliteStore::open_in(&folder.path().join("store")).unwrap());
    store.migrate().await.unwrap();
    let mut users = Vec::new();
    for n in 0..WRITERS {
        let email = Email::parse(&format!("writer{n}@example.org")).unwrap();
        let new = NewUser {
            email,
            password_hash: "x".into(),
            time_zone: TimeZoneName::utc(),
            created_at: jiff::Timestamp::now(),
        };
        users.push(store.create_user(new).await.unwrap().id);
    }
    let instrument = InstrumentId::parse("proqol5").unwrap();
    let answers = Answers { gate: None, items: vec![Some(3); 30] };
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let tasks: Vec<_> = users
        .into_iter()
        .map(|user| {
            let (store, stop, instrument, answers) = (store.clone(), stop.clone(), instrument.clone(), answers.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    let began = Instant::now();
                    store.save_draft(user, &instrument, &answers, jiff::Timestamp::now()).await.unwrap();
                    latencies.push(began.elapsed());
                }
                latencies
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.unwrap());
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    let at =
        |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)].as_secs_f64() * 1000.0;
    println!(
        "store, {WRITERS} concurrent writers, group commit: {:.0} writes/s, p50 {:.2} ms, p99 {:.2} ms ({} writes)",
        latencies.len() as f64 / elapsed,
        at(0.50),
        at(0.99),
        latencies.len()
    );
}
