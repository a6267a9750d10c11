//! The one integration-test binary. Modules are grouped by capability.

mod accounts;
mod bad_input;
mod cli;
mod contracts;
mod documents;
mod helpers;
mod metadata_store;
mod multi_node;
mod object_store;
mod operations;
mod signing;
mod signing_more;
mod workflow_store;
