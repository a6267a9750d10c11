//! vanthu: issues, archives and audits two-layer digitally signed outgoing documents
//! (văn bản đi) for Vietnamese state agencies. See ARCHITECTURE.md for the map.

pub mod app;
pub mod audit;
pub mod auth;
pub mod blocking;
pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod http;
pub mod pdf;
pub mod register_export;
pub mod signing;
pub mod startup;
pub mod storage;
pub mod verify;

#[cfg(test)]
mod fuzz_corpus_tests;
