//! The one integration-test binary. Modules are grouped by capability.

mod accounts;
mod archive_audit;
mod audit_log;
mod bad_input;
mod cli;
mod compliance;
mod confidentiality;
mod contracts;
mod copies_and_sequences;
mod documents;
mod extraction;
mod helpers;
mod issuing_at_scale;
mod metadata_store;
mod multi_node;
mod object_store;
mod operations;
mod policy;
mod pyhanko_agreement;
mod register_and_revocation;
mod search;
mod signing;
mod signing_more;
mod verification;
mod workflow;
mod workflow_store;
