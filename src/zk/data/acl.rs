//! ACLs (sheet A.1; `ZooDefs.Perms`, `ZooDefs.Ids`, `PrepRequestProcessor.fixupACL`,
//! `ZooKeeperServer.checkACL`, `DigestAuthenticationProvider`, `IPAuthenticationProvider`,
//! 3.8): who may do what to a znode, and what a connection's `addAuth` gives it.
//!
//! Modelled: the `world`, `auth`, `digest` and `ip` schemes. A connection starts with the id
//! `ip:<client address>` (as `NIOServerCnxn` adds it) and gains `digest:user:base64(sha1(
//! "user:password"))` from `addAuth("digest", "user:password")`, or its own `ip` id again from
//! `addAuth("ip", …)`; any other scheme (`world`, `auth`, `sasl`, …) has no server provider and
//! fails with `AuthFailed`. Simplified: no `super` user (`superDigest`), no `x509`/`sasl`
//! providers, no `skipACL`, IPv4 only (as the real provider: its IPv6 parsing is a TODO).

use crate::zk::types::ErrorCode;

/// `ZooDefs.Perms.READ`.
pub const READ: i32 = 1;
/// `ZooDefs.Perms.WRITE`.
pub const WRITE: i32 = 2;
/// `ZooDefs.Perms.CREATE`.
pub const CREATE: i32 = 4;
/// `ZooDefs.Perms.DELETE`.
pub const DELETE: i32 = 8;
/// `ZooDefs.Perms.ADMIN`.
pub const ADMIN: i32 = 16;
/// `ZooDefs.Perms.ALL`.
pub const ALL: i32 = 31;

/// An identity: `scheme:id` (jute `Id`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Id {
    /// `world`, `auth`, `digest`, `ip`.
    pub scheme: String,
    /// `anyone`, `user:hash`, `10.0.0.0/8`, …
    pub id: String,
}

impl Id {
    /// `Id(scheme, id)`.
    pub fn new(scheme: &str, id: &str) -> Id {
        Id {
            scheme: scheme.to_string(),
            id: id.to_string(),
        }
    }
}

/// One ACL entry: permission bits for an identity (jute `ACL`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Acl {
    /// Permission bits (`READ`…`ADMIN`).
    pub perms: i32,
    /// Who.
    pub id: Id,
}

impl Acl {
    /// `new ACL(perms, new Id(scheme, id))`.
    pub fn new(perms: i32, scheme: &str, id: &str) -> Acl {
        Acl {
            perms,
            id: Id::new(scheme, id),
        }
    }

    /// `scheme:id perms`, e.g. `world:anyone cdrwa`.
    pub fn render(&self) -> String {
        format!(
            "{}:{} {}",
            self.id.scheme,
            self.id.id,
            perms_string(self.perms)
        )
    }
}

/// `ZooDefs.Ids.OPEN_ACL_UNSAFE`: `world:anyone` with `ALL`.
pub fn open_acl_unsafe() -> Vec<Acl> {
    vec![Acl::new(ALL, "world", "anyone")]
}

/// Permission letters as zkCli prints them, in its order `c d r w a`.
pub fn perms_string(perms: i32) -> String {
    [
        (CREATE, 'c'),
        (DELETE, 'd'),
        (READ, 'r'),
        (WRITE, 'w'),
        (ADMIN, 'a'),
    ]
    .iter()
    .filter(|(bit, _)| perms & bit != 0)
    .map(|(_, c)| *c)
    .collect()
}

/// Parses zkCli permission letters (`cdrwa`, any order); `None` for any other character.
pub fn parse_perms(s: &str) -> Option<i32> {
    s.chars().try_fold(0, |acc, c| {
        let bit = match c {
            'c' => CREATE,
            'd' => DELETE,
            'r' => READ,
            'w' => WRITE,
            'a' => ADMIN,
            _ => return None,
        };
        Some(acc | bit)
    })
}

/// Whether the server has an authentication provider for `scheme` (`ProviderRegistry`:
/// `ip` and `digest` by default).
pub fn has_provider(scheme: &str) -> bool {
    scheme == "ip" || scheme == "digest"
}

/// `addAuth(scheme, auth)` on a connection from `client_ip` (`ZooKeeperServer.processPacket`,
/// `handleAuthentication`): the id it adds, or `AuthFailed` when no provider knows the scheme.
pub fn authenticate(scheme: &str, auth: &str, client_ip: &str) -> Result<Id, ErrorCode> {
    match scheme {
        "digest" => Ok(Id::new("digest", &generate_digest(auth))),
        "ip" => Ok(Id::new("ip", client_ip)),
        _ => Err(ErrorCode::AuthFailed),
    }
}

/// `PrepRequestProcessor.fixupACL`: drops duplicates (keeping order), rejects an empty list,
/// expands `auth` into the requester's authenticated ids (only `digest` ids count: the `ip`
/// provider is not "authenticated") and validates other ids with their provider. Any failure
/// is `InvalidACL`.
pub fn fixup_acl(auth: &[Id], acls: &[Acl]) -> Result<Vec<Acl>, ErrorCode> {
    let mut uniq: Vec<&Acl> = Vec::with_capacity(acls.len());
    for a in acls {
        if !uniq.contains(&a) {
            uniq.push(a);
        }
    }
    if uniq.is_empty() {
        return Err(ErrorCode::InvalidACL);
    }
    let mut rv = Vec::with_capacity(uniq.len());
    for a in uniq {
        match a.id.scheme.as_str() {
            "world" if a.id.id == "anyone" => rv.push(a.clone()),
            "auth" => {
                let mut valid = false;
                for cid in auth.iter().filter(|c| c.scheme == "digest") {
                    valid = true;
                    rv.push(Acl {
                        perms: a.perms,
                        id: cid.clone(),
                    });
                }
                if !valid {
                    return Err(ErrorCode::InvalidACL);
                }
            }
            "digest" if a.id.id.split(':').count() == 2 => rv.push(a.clone()),
            "ip" if ip_valid(&a.id.id) => rv.push(a.clone()),
            _ => return Err(ErrorCode::InvalidACL),
        }
    }
    Ok(rv)
}

/// `ZooKeeperServer.checkACL`: `Ok` if some entry grants one of the bits in `perm` to
/// `world:anyone` or to one of the caller's ids; an empty ACL allows everything.
pub fn check_acl(acl: &[Acl], perm: i32, auth: &[Id]) -> Result<(), ErrorCode> {
    if acl.is_empty() {
        return Ok(());
    }
    for a in acl.iter().filter(|a| a.perms & perm != 0) {
        if a.id.scheme == "world" && a.id.id == "anyone" {
            return Ok(());
        }
        if !has_provider(&a.id.scheme) {
            continue;
        }
        for c in auth.iter().filter(|c| c.scheme == a.id.scheme) {
            let matches = match c.scheme.as_str() {
                "ip" => ip_matches(&c.id, &a.id.id),
                _ => c.id == a.id.id,
            };
            if matches {
                return Ok(());
            }
        }
    }
    Err(ErrorCode::NoAuth)
}

/// What `getACL` shows a caller without ADMIN: digest hashes replaced by `x`
/// (`FinalRequestProcessor`, `id.replaceAll(":.*", ":x")`).
pub fn redacted(acl: &[Acl]) -> Vec<Acl> {
    acl.iter()
        .map(|a| match (a.id.scheme.as_str(), a.id.id.find(':')) {
            ("digest", Some(i)) => Acl {
                perms: a.perms,
                id: Id::new("digest", &format!("{}:x", &a.id.id[..i])),
            },
            _ => a.clone(),
        })
        .collect()
}

/// `IPAuthenticationProvider.v4addr2Bytes`.
fn v4_bytes(addr: &str) -> Option<[u8; 4]> {
    let mut b = [0u8; 4];
    let mut n = 0;
    for part in addr.split('.') {
        if n == 4 {
            return None;
        }
        let v: i64 = part.parse().ok()?;
        b[n] = u8::try_from(v).ok()?;
        n += 1;
    }
    (n == 4).then_some(b)
}

/// `addr[/bits]` split; `None` when malformed (bits outside 0..=32 or not a number).
fn ip_expr(expr: &str) -> Option<([u8; 4], u32)> {
    let (addr, bits) = match expr.split_once('/') {
        Some((a, b)) => (a, b.parse::<i64>().ok()?),
        None => (expr, 32),
    };
    let a = v4_bytes(addr)?;
    (0..=32).contains(&bits).then_some((a, bits as u32))
}

/// `IPAuthenticationProvider.isValid`.
pub fn ip_valid(expr: &str) -> bool {
    ip_expr(expr).is_some()
}

/// `IPAuthenticationProvider.matches`: the caller's address is inside `addr/bits`.
pub fn ip_matches(id: &str, expr: &str) -> bool {
    let (Some((acl, bits)), Some(me)) = (ip_expr(expr), v4_bytes(id)) else {
        return false;
    };
    let mask = if bits == 0 {
        0
    } else {
        u32::MAX << (32 - bits)
    };
    u32::from_be_bytes(acl) & mask == u32::from_be_bytes(me) & mask
}

/// `DigestAuthenticationProvider.generateDigest`: `user:base64(sha1("user:password"))`.
pub fn generate_digest(id_password: &str) -> String {
    let user = id_password.split(':').next().unwrap_or("");
    format!("{user}:{}", base64(&sha1(id_password.as_bytes())))
}

/// SHA-1 (FIPS 180-4), enough for digest ids.
pub fn sha1(msg: &[u8]) -> [u8; 20] {
    let mut h: [u32; 5] = [0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0];
    let mut data = msg.to_vec();
    data.push(0x80);
    while data.len() % 64 != 56 {
        data.push(0);
    }
    data.extend_from_slice(&((msg.len() as u64).wrapping_mul(8)).to_be_bytes());
    for chunk in data.chunks(64) {
        let mut w = [0u32; 80];
        for (i, word) in chunk.chunks(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..80 {
            w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
        }
        let [mut a, mut b, mut c, mut d, mut e] = h;
        for (i, wi) in w.iter().enumerate() {
            let (f, k) = match i / 20 {
                0 => ((b & c) | (!b & d), 0x5A827999),
                1 => (b ^ c ^ d, 0x6ED9EBA1),
                2 => ((b & c) | (b & d) | (c & d), 0x8F1BBCDC),
                _ => (b ^ c ^ d, 0xCA62C1D6),
            };
            let t = a
                .rotate_left(5)
                .wrapping_add(f)
                .wrapping_add(e)
                .wrapping_add(k)
                .wrapping_add(*wi);
            e = d;
            d = c;
            c = b.rotate_left(30);
            b = a;
            a = t;
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 20];
    for (i, x) in h.iter().enumerate() {
        out[i * 4..i * 4 + 4].copy_from_slice(&x.to_be_bytes());
    }
    out
}

/// Standard base64 with `=` padding (`java.util.Base64.getEncoder()`).
pub fn base64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for c in bytes.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                out.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha1_matches_the_fips_test_vector() {
        let d = sha1(b"abc");
        let hex: String = d.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, "a9993e364706816aba3e25717850c26c9cd0d89d");
    }

    #[test]
    fn the_digest_of_super_admin_is_the_one_zookeeper_documents() {
        assert_eq!(
            generate_digest("super:admin"),
            "super:xQJmxLMiHGwaqBvst5y6rkB6HQs="
        );
    }

    #[test]
    fn ip_ranges_match_by_prefix_and_bad_ones_are_invalid() {
        assert!(ip_matches("10.0.3.7", "10.0.0.0/16"));
        assert!(!ip_matches("10.1.3.7", "10.0.0.0/16"));
        assert!(ip_valid("10.0.0.1") && !ip_valid("10.0.0") && !ip_valid("1.2.3.4/33"));
    }

    #[test]
    fn auth_expands_to_digest_ids_and_fails_without_one() {
        let acl = [Acl::new(ALL, "auth", "")];
        assert_eq!(
            fixup_acl(&[Id::new("ip", "10.0.0.1")], &acl),
            Err(ErrorCode::InvalidACL)
        );
        let me = Id::new("digest", "u:h");
        assert_eq!(
            fixup_acl(std::slice::from_ref(&me), &acl),
            Ok(vec![Acl { perms: ALL, id: me }])
        );
    }
}
