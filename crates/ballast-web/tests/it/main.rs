//! Integration tests for the web application: the real server on 127.0.0.1:0 with a fresh
//! database, driven over HTTP as a person (or a browser) would. One test binary on purpose:
//! each extra binary is another slow link.

mod api;
mod assessments;
mod browser;
mod check_ins;
mod contract;
mod exposure;
mod flows;
mod journal;
mod kit;
mod reminders;
mod security;
mod smtp;
mod support;
