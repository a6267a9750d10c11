//! Keys and certificates (and, in later work, the PAdES signing engine). This module and
//! `pdf` are the only ones that know openssl and lopdf.

pub mod demo_pki;
