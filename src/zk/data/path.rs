//! Znode path rules, as the server applies them (sheet A.5 "Path validation").
//!
//! ZooKeeper checks paths in two stages, and the stage decides the error a client sees:
//!
//! 1. `create` and `delete` first split the path at its last `/` and look the parent up. Before
//!    that lookup only "no `/` at all" and "contains NUL" give `BadArguments`
//!    ([`parent_for_create`], [`parent_for_delete`], the latter also refusing the reserved
//!    nodes). So `/a//x` or `a/x` get `NoNode`: their parent string can never exist.
//! 2. Only once the parent is found (and after any sequential suffix is appended) does
//!    `create` run the full [`validate_path`] (`PathUtils.validatePath`). `setData` and `check`
//!    run it first thing; `delete` never does; `exists` only rejects NUL.
//!
//! Simplified compared to ZooKeeper 3.5.9/3.8: nothing of substance. Java strings are UTF-16,
//! so the real check rejects any character outside the Basic Multilingual Plane (it is a
//! surrogate pair); [`validate_path`] does the same for Rust `char`s above U+FFFF.

use std::fmt;

use crate::zk::types::ErrorCode;

/// The nodes that always exist and can never be deleted (`DataTree.isSpecialPath`).
pub const RESERVED_PATHS: [&str; 4] = ["/", "/zookeeper", "/zookeeper/quota", "/zookeeper/config"];

/// True for `/`, `/zookeeper`, `/zookeeper/quota` and `/zookeeper/config`.
pub fn is_reserved(path: &str) -> bool {
    RESERVED_PATHS.contains(&path)
}

/// The parent path: everything before the last `/`, with the empty string read as the root
/// (ZooKeeper's tree maps `""` to `/` too). `None` when the path has no `/` at all.
///
/// No validation: `parent_of("/a//x")` is `Some("/a/")`, a path no node can have.
pub fn parent_of(path: &str) -> Option<&str> {
    let i = path.rfind('/')?;
    Some(if i == 0 { "/" } else { &path[..i] })
}

/// The last segment: everything after the last `/` (the whole string if there is none).
pub fn name_of(path: &str) -> &str {
    match path.rfind('/') {
        Some(i) => &path[i + 1..],
        None => path,
    }
}

/// The joined path of `name` under `parent`.
pub fn join(parent: &str, name: &str) -> String {
    if parent == "/" {
        format!("/{name}")
    } else {
        format!("{parent}/{name}")
    }
}

/// The pre-check `create` runs before looking the parent up
/// (`PrepRequestProcessor.validatePathForCreate`): `BadArguments` if the path has no `/` or
/// contains NUL; otherwise the parent path to look up.
pub fn parent_for_create(path: &str) -> Result<&str, ErrorCode> {
    if path.contains('\0') {
        return Err(ErrorCode::BadArguments);
    }
    parent_of(path).ok_or(ErrorCode::BadArguments)
}

/// The pre-check `delete` runs before looking the parent up
/// (`PrepRequestProcessor.getParentPathAndValidate`): as [`parent_for_create`], and also
/// `BadArguments` for the reserved nodes.
pub fn parent_for_delete(path: &str) -> Result<&str, ErrorCode> {
    if is_reserved(path) {
        return Err(ErrorCode::BadArguments);
    }
    parent_for_create(path)
}

/// The name a sequential create gets: the requested path followed by the parent's stored
/// `cversion` as `%010d` (sheet A.4). Negative counters (after the i32 wraps) keep Java's
/// formatting, sign first: `-000000005`.
pub fn sequential_path(path: &str, counter: i32) -> String {
    format!("{path}{counter:010}")
}

/// Why [`validate_path`] refused a path; the texts follow `PathUtils.validatePath`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathError {
    /// The empty string.
    Empty,
    /// Does not start with `/`.
    NotAbsolute,
    /// Ends with `/` (and is not the root).
    TrailingSlash,
    /// A NUL character at this char index.
    NulChar(usize),
    /// Two `/` in a row at this char index.
    EmptySegment(usize),
    /// A `.` or `..` segment at this char index.
    Relative(usize),
    /// A control, private-use, surrogate or non-BMP character at this char index.
    InvalidChar(usize),
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathError::Empty => write!(f, "Path length must be > 0"),
            PathError::NotAbsolute => write!(f, "Path must start with / character"),
            PathError::TrailingSlash => write!(f, "Path must not end with / character"),
            PathError::NulChar(i) => write!(f, "null character not allowed @{i}"),
            PathError::EmptySegment(i) => write!(f, "empty node name specified @{i}"),
            PathError::Relative(i) => write!(f, "relative paths not allowed @{i}"),
            PathError::InvalidChar(i) => write!(f, "invalid character @{i}"),
        }
    }
}

/// The full path check (`PathUtils.validatePath`): absolute, no trailing `/` except the root,
/// no empty segment, no `.`/`..` segment, no NUL or otherwise invalid character.
pub fn validate_path(path: &str) -> Result<(), PathError> {
    let chars: Vec<char> = path.chars().collect();
    match chars.first() {
        None => return Err(PathError::Empty),
        Some('/') => {}
        Some(_) => return Err(PathError::NotAbsolute),
    }
    if chars.len() == 1 {
        return Ok(());
    }
    if chars[chars.len() - 1] == '/' {
        return Err(PathError::TrailingSlash);
    }
    let segment_ends_at = |i: usize| i + 1 == chars.len() || chars[i + 1] == '/';
    for i in 1..chars.len() {
        let (c, last) = (chars[i], chars[i - 1]);
        if c == '\0' {
            return Err(PathError::NulChar(i));
        } else if c == '/' && last == '/' {
            return Err(PathError::EmptySegment(i));
        } else if c == '.' && last == '.' {
            if i >= 2 && chars[i - 2] == '/' && segment_ends_at(i) {
                return Err(PathError::Relative(i));
            }
        } else if c == '.' {
            if last == '/' && segment_ends_at(i) {
                return Err(PathError::Relative(i));
            }
        } else if is_invalid_char(c) {
            return Err(PathError::InvalidChar(i));
        }
    }
    Ok(())
}

/// [`validate_path`] as a server error code.
pub fn check_path(path: &str) -> Result<(), ErrorCode> {
    validate_path(path).map_err(|_| ErrorCode::BadArguments)
}

fn is_invalid_char(c: char) -> bool {
    matches!(c,
        '\u{1}'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{e000}'..='\u{f8ff}' | '\u{fff0}'..)
}
