//! The replicated database: the data tree and its znodes, transactions and how a write
//! request becomes one (`PrepRequestProcessor`), path rules, and per-server watch tables.

pub mod acl;
pub mod extended;
pub mod path;
pub mod prep;
pub mod tree;
pub mod txn;
pub mod watches;
