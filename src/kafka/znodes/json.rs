//! A small JSON reader and writer for the znode payloads Kafka stores.
//!
//! The znodes hold a handful of flat shapes (objects of integers, strings, integer lists and
//! string maps), so a dedicated reader and writer are a fraction of the size of a general
//! JSON library in the browser bundle. The reader accepts any RFC 8259 JSON text (UTF-8,
//! escapes and surrogate pairs included) and keeps only what the decoders ask for: numbers
//! are integers when they are written as one and fit an `i64`, anything else is a
//! non-integer. Like a map-backed parser, a repeated object key keeps its last value, in the
//! first key's place. Nesting deeper than 128 levels is rejected instead of recursing on.
//! The writer escapes strings the way Jackson and serde_json do (`\"`, `\\`, `\b`, `\f`,
//! `\n`, `\r`, `\t`, other control characters as `\u00xx`).

/// A parsed JSON value.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Json {
    Null,
    Bool(bool),
    /// An integer literal that fits an `i64`.
    Int(i64),
    /// Any other number (fraction, exponent or out of range).
    Num,
    Str(String),
    Arr(Vec<Json>),
    /// Members in first-appearance order, keys unique.
    Obj(Vec<(String, Json)>),
}

impl Json {
    /// The member `key` of an object.
    pub(super) fn get(&self, key: &str) -> Option<&Json> {
        self.as_object()?
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    pub(super) fn as_i64(&self) -> Option<i64> {
        match self {
            Json::Int(n) => Some(*n),
            _ => None,
        }
    }

    pub(super) fn as_str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }

    pub(super) fn as_array(&self) -> Option<&[Json]> {
        match self {
            Json::Arr(items) => Some(items),
            _ => None,
        }
    }

    pub(super) fn as_object(&self) -> Option<&[(String, Json)]> {
        match self {
            Json::Obj(members) => Some(members),
            _ => None,
        }
    }
}

/// Parses a whole JSON text; `None` if it is not one.
pub(super) fn parse(bytes: &[u8]) -> Option<Json> {
    let text = std::str::from_utf8(bytes).ok()?;
    let mut r = Reader {
        s: text.as_bytes(),
        i: 0,
    };
    let v = r.value(0)?;
    r.ws();
    (r.i == r.s.len()).then_some(v)
}

struct Reader<'a> {
    s: &'a [u8],
    i: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        self.ws();
        let hit = self.peek() == Some(c);
        if hit {
            self.i += 1;
        }
        hit
    }

    fn word(&mut self, w: &[u8], v: Json) -> Option<Json> {
        let hit = self.s[self.i..].starts_with(w);
        self.i += w.len();
        hit.then_some(v)
    }

    fn value(&mut self, depth: u32) -> Option<Json> {
        if depth > 128 {
            return None;
        }
        self.ws();
        match self.peek()? {
            b'n' => self.word(b"null", Json::Null),
            b't' => self.word(b"true", Json::Bool(true)),
            b'f' => self.word(b"false", Json::Bool(false)),
            b'"' => self.string().map(Json::Str),
            b'[' => {
                self.i += 1;
                let mut items = Vec::new();
                if !self.eat(b']') {
                    loop {
                        items.push(self.value(depth + 1)?);
                        if self.eat(b']') {
                            break;
                        }
                        if !self.eat(b',') {
                            return None;
                        }
                    }
                }
                Some(Json::Arr(items))
            }
            b'{' => {
                self.i += 1;
                let mut members: Vec<(String, Json)> = Vec::new();
                if !self.eat(b'}') {
                    loop {
                        self.ws();
                        if self.peek() != Some(b'"') {
                            return None;
                        }
                        let key = self.string()?;
                        if !self.eat(b':') {
                            return None;
                        }
                        let v = self.value(depth + 1)?;
                        match members.iter_mut().find(|(k, _)| *k == key) {
                            Some(slot) => slot.1 = v,
                            None => members.push((key, v)),
                        }
                        if self.eat(b'}') {
                            break;
                        }
                        if !self.eat(b',') {
                            return None;
                        }
                    }
                }
                Some(Json::Obj(members))
            }
            _ => self.number(),
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> Option<Json> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        let first = self.peek();
        let n = self.digits();
        if n == 0 || (first == Some(b'0') && n > 1) {
            return None;
        }
        let mut integer = true;
        if self.peek() == Some(b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return None;
            }
            integer = false;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if self.digits() == 0 {
                return None;
            }
            integer = false;
        }
        let text = std::str::from_utf8(&self.s[start..self.i]).ok()?;
        Some(match text.parse::<i64>() {
            Ok(v) if integer => Json::Int(v),
            _ => Json::Num,
        })
    }

    fn hex4(&mut self) -> Option<u32> {
        let h = self.s.get(self.i..self.i + 4)?;
        self.i += 4;
        let h = std::str::from_utf8(h).ok()?;
        if !h.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        u32::from_str_radix(h, 16).ok()
    }

    fn string(&mut self) -> Option<String> {
        self.i += 1; // the opening quote
        let mut out = String::new();
        loop {
            let start = self.i;
            while matches!(self.peek(), Some(c) if c != b'"' && c != b'\\' && c >= 0x20) {
                self.i += 1;
            }
            // Runs end on ASCII bytes, so they are whole UTF-8 sequences of the input.
            out.push_str(std::str::from_utf8(&self.s[start..self.i]).ok()?);
            match self.peek()? {
                b'"' => {
                    self.i += 1;
                    return Some(out);
                }
                b'\\' => {
                    self.i += 1;
                    let e = self.peek()?;
                    self.i += 1;
                    out.push(match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi) {
                                if !self.s[self.i..].starts_with(b"\\u") {
                                    return None;
                                }
                                self.i += 2;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return None;
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            char::from_u32(code)?
                        }
                        _ => return None,
                    });
                }
                _ => return None, // a raw control character
            }
        }
    }
}

/// Appends `s` as a JSON string.
pub(super) fn push_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(HEX[(c as usize) >> 4] as char);
                out.push(HEX[(c as usize) & 15] as char);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Appends `[a,b,..]`.
pub(super) fn push_ints(out: &mut String, items: &[i32]) {
    out.push('[');
    for (i, n) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&n.to_string());
    }
    out.push(']');
}

/// Builds one JSON object member by member, in the order they are added.
pub(super) struct ObjWriter(String);

impl ObjWriter {
    pub(super) fn new() -> Self {
        ObjWriter(String::from("{"))
    }

    /// Starts member `key`; the caller appends its value to the returned buffer.
    pub(super) fn key(&mut self, key: &str) -> &mut String {
        if self.0.len() > 1 {
            self.0.push(',');
        }
        push_str(&mut self.0, key);
        self.0.push(':');
        &mut self.0
    }

    pub(super) fn int(&mut self, key: &str, v: i64) -> &mut Self {
        let v = v.to_string();
        self.key(key).push_str(&v);
        self
    }

    pub(super) fn str(&mut self, key: &str, v: &str) -> &mut Self {
        push_str(self.key(key), v);
        self
    }

    pub(super) fn ints(&mut self, key: &str, v: &[i32]) -> &mut Self {
        push_ints(self.key(key), v);
        self
    }

    /// A member whose value is already JSON text.
    pub(super) fn raw(&mut self, key: &str, json: &str) -> &mut Self {
        self.key(key).push_str(json);
        self
    }

    /// The object's text.
    pub(super) fn finish(&mut self) -> String {
        let mut s = std::mem::take(&mut self.0);
        s.push('}');
        s
    }
}

/// `{"k":"v",..}` from string pairs, in the order given.
pub(super) fn str_object<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut w = ObjWriter::new();
    for (k, v) in pairs {
        w.str(k, v);
    }
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reader_takes_escapes_surrogates_and_whitespace() {
        let v = parse(br#" { "a" : "x\"\\\/\n\u00e9\ud83d\ude00" , "b":[1, -2,3.5,1e2,99999999999999999999] } "#)
            .unwrap();
        assert_eq!(
            v.get("a").and_then(Json::as_str),
            Some("x\"\\/\n\u{e9}\u{1f600}")
        );
        let b = v.get("b").and_then(Json::as_array).unwrap();
        assert_eq!(
            b,
            &[Json::Int(1), Json::Int(-2), Json::Num, Json::Num, Json::Num]
        );
    }

    #[test]
    fn the_reader_refuses_what_is_not_json() {
        let bad: &[&[u8]] = &[
            b"",
            b"{",
            b"{}x",
            b"01",
            b"1.",
            b"-",
            b"[1,]",
            b"{\"a\"}",
            b"\"\\ud800\"",
            b"\"a\nb\"",
            b"tru",
            b"\xff",
            b"[1 2]",
            b"{\"a\":1,}",
        ];
        for b in bad {
            assert_eq!(parse(b), None, "{:?}", String::from_utf8_lossy(b));
        }
        assert_eq!(parse(&[b'['; 200]), None);
    }

    #[test]
    fn a_repeated_key_keeps_its_last_value() {
        let v = parse(br#"{"a":1,"b":2,"a":3}"#).unwrap();
        assert_eq!(v.get("a"), Some(&Json::Int(3)));
        assert_eq!(v.as_object().map(<[_]>::len), Some(2));
    }

    #[test]
    fn the_writer_escapes_control_characters() {
        let mut s = String::new();
        push_str(&mut s, "a\"\\\u{1}\t\u{7f}é");
        assert_eq!(s, "\"a\\\"\\\\\\u0001\\t\u{7f}é\"");
    }

    #[test]
    fn the_reader_accepts_and_refuses_what_serde_json_does() {
        let texts: &[&[u8]] = &[
            b"{}",
            b" [ ] ",
            b"-0",
            b"1e5",
            b"1E+2",
            b"-1.5e-3",
            b"\"\\u00e9\"",
            b"[true,false,null]",
            b"{\"a\":{\"b\":[1,{\"c\":\"d\"}]}}",
            b"+1",
            b".5",
            b"1e",
            b"[1,2",
            b"nul",
            b"\"\\x\"",
            b"\"\\ud800\\u0041\"",
            b"{1:2}",
            b"\"\t\"",
            b"[] []",
            b"\"\xc3\xa9\"",
        ];
        for t in texts {
            assert_eq!(
                parse(t).is_some(),
                serde_json::from_slice::<serde_json::Value>(t).is_ok(),
                "{:?}",
                String::from_utf8_lossy(t)
            );
        }
    }
}
