//! Keys, certificates and the PAdES signing engine. This module and `pdf` are the only ones
//! that know openssl and lopdf.

mod appearance;
pub(crate) mod certificate_cache;
pub mod cms;
pub mod demo_pki;
pub(crate) mod der;
pub mod engine;
pub mod font;
pub mod images;
pub mod keystore;
pub mod layers;
pub mod layout;
pub mod pdf_update;
pub mod prepared_image;
mod raster;
pub mod signing_input;
