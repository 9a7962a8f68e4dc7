//! A small SMTP server for tests, on 127.0.0.1 and a free port: enough of the protocol for a
//! real client (greeting, EHLO/HELO, MAIL FROM, RCPT TO, DATA, RSET, NOOP, QUIT), keeping
//! every message it accepts. It can also refuse mail for now (451), as a busy server does.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// How the server answers `MAIL FROM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Accept,
    /// "451 Try again later": a temporary failure, which a sender should retry.
    TryLater,
}

/// One message as the server received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    /// Headers and body, as sent (dots unstuffed).
    pub data: String,
}

pub struct SmtpServer {
    port: u16,
    messages: Arc<Mutex<Vec<Received>>>,
    connections: Arc<AtomicUsize>,
}

impl SmtpServer {
    pub async fn start(answer: Answer) -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let messages = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let (kept, counted) = (messages.clone(), connections.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                counted.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(converse(stream, answer, kept.clone()));
            }
        });
        SmtpServer { port, messages, connections }
    }

    /// The address to give Ballast as `smtp_url` (plain SMTP, no password).
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn messages(&self) -> Vec<Received> {
        self.messages.lock().unwrap().clone()
    }

    /// How many times a client connected.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

async fn reply(writer: &mut tokio::net::tcp::OwnedWriteHalf, text: &str) -> bool {
    writer.write_all(text.as_bytes()).await.is_ok()
}

async fn converse(stream: TcpStream, answer: Answer, messages: Arc<Mutex<Vec<Received>>>) {
    let (reader, mut writer) = stream.into_split();
    let mut lines = BufReader::new(reader);
    if !reply(&mut writer, "220 test.invalid ESMTP ready\r\n").await {
        return;
    }
    let (mut from, mut to) = (String::new(), Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let command = line.trim_end().to_owned();
        let verb = command.split([' ', ':']).next().unwrap_or_default().to_ascii_uppercase();
        let text = match verb.as_str() {
            "EHLO" => "250-test.invalid greets you\r\n250 8BITMIME\r\n",
            "HELO" | "RSET" | "NOOP" => "250 OK\r\n",
            "MAIL" if answer == Answer::TryLater => "451 4.3.0 Try again later\r\n",
            "MAIL" => {
                from = command["MAIL FROM:".len().min(command.len())..].trim().to_owned();
                to.clear();
                "250 OK\r\n"
            }
            "RCPT" => {
                to.push(command["RCPT TO:".len().min(command.len())..].trim().to_owned());
                "250 OK\r\n"
            }
            "DATA" => {
                if !reply(&mut writer, "354 End data with <CR><LF>.<CR><LF>\r\n").await {
                    return;
                }
                let mut data = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    if line == ".\r\n" {
                        break;
                    }
                    data.push_str(line.strip_prefix('.').unwrap_or(&line));
                }
                messages.lock().unwrap().push(Received { from: from.clone(), to: to.clone(), data });
                "250 OK: queued\r\n"
            }
            "QUIT" => {
                reply(&mut writer, "221 Bye\r\n").await;
                return;
            }
            _ => "500 Unknown command\r\n",
        };
        if !reply(&mut writer, text).await {
            return;
        }
    }
}
