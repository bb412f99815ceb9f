//! The pull decoder shared by every generated `decode`: a thin layer over quick-xml's borrowing
//! reader that tracks the element path, matches element names (with the misspellings real phones
//! send), and records deviations from ECMA-323 when decoding strictly.

use std::borrow::Cow;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::QName;

use crate::Mode;
use crate::error::{DecodeError, Deviation, DeviationKind, Position, UnknownElement};

/// How a field of a sequence may occur (ECMA-323 `minOccurs`/`maxOccurs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    /// Exactly once.
    Required,
    /// At most once.
    Optional,
    /// Any number of times, consecutively.
    List,
}

/// A start tag handed to a decoder; the element's content has not been read yet.
#[derive(Default)]
pub(crate) struct Tag<'a> {
    /// The attributes as written, after the name (see [`Decoder::attributes`]).
    pub(crate) attributes: &'a str,
    pub(crate) qname: &'a str,
    pub(crate) empty: bool,
    pub(crate) pos: usize,
}

impl<'a> Tag<'a> {
    /// The element name without its namespace prefix.
    pub(crate) fn local(&self) -> &'a str {
        local_name(self.qname)
    }
}

/// `name` without its namespace prefix.
pub(crate) fn local_name(name: &str) -> &str {
    match name.bytes().rposition(|b| b == b':') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

/// The attributes of one start tag, read straight from the input: each name with its value as
/// written (references unresolved; see [`Decoder::unescape`]). A name without `=`, a value without
/// quotes or without its closing quote, and a repeated name are errors, as in quick-xml's own
/// attribute reader, which this replaces on the hot paths because it allocates for every tag it
/// reads and goes through its input byte by byte.
pub(crate) struct Attributes<'a> {
    raw: &'a str,
    /// Offset of `raw` in the decoder's input, for error positions.
    base: usize,
    pos: usize,
    seen: [&'a str; 8],
    count: usize,
    more: Vec<&'a str>,
}

impl<'a> Attributes<'a> {
    /// The next attribute, `None` after the last one.
    pub(crate) fn next(
        &mut self,
        d: &Decoder<'a>,
    ) -> Result<Option<(&'a str, &'a str)>, DecodeError> {
        let bytes = self.raw.as_bytes();
        let ws = |b: &u8| b.is_ascii_whitespace();
        let Some(start) = bytes[self.pos..].iter().position(|b| !ws(b)) else {
            self.pos = bytes.len();
            return Ok(None);
        };
        let start = self.pos + start;
        let fail = |at: usize, what: &str| DecodeError::Xml {
            position: d.position(self.base + at),
            message: format!("malformed attribute: {what}"),
        };
        let key_end = bytes[start..]
            .iter()
            .position(|&b| b == b'=' || ws(&b))
            .map_or(bytes.len(), |i| start + i);
        let key = &self.raw[start..key_end];
        let mut i = key_end;
        while i < bytes.len() && ws(&bytes[i]) {
            i += 1;
        }
        if key.is_empty() || bytes.get(i) != Some(&b'=') {
            return Err(fail(start, "expected '=' after the name"));
        }
        i += 1;
        while i < bytes.len() && ws(&bytes[i]) {
            i += 1;
        }
        let quote = match bytes.get(i) {
            Some(&q @ (b'"' | b'\'')) => q,
            _ => return Err(fail(i, "the value is not quoted")),
        };
        let Some(len) = memchr::memchr(quote, &bytes[i + 1..]) else {
            return Err(fail(i, "the value has no closing quote"));
        };
        let value = &self.raw[i + 1..i + 1 + len];
        self.pos = i + 2 + len;
        let seen = &self.seen[..self.count.min(self.seen.len())];
        if seen.contains(&key) || self.more.contains(&key) {
            return Err(fail(start, &format!("{key:?} is repeated")));
        }
        if self.count < self.seen.len() {
            self.seen[self.count] = key;
        } else {
            self.more.push(key);
        }
        self.count += 1;
        Ok(Some((key, value)))
    }
}

/// The names of the open elements as written (prefixed or not), root first. The first sixteen live inline, so that
/// decoding a message does not allocate for them.
#[derive(Default)]
struct Path<'a> {
    inline: [&'a str; 16],
    len: usize,
    deeper: Vec<&'a str>,
}

impl<'a> Path<'a> {
    fn push(&mut self, name: &'a str) {
        if self.len < self.inline.len() {
            self.inline[self.len] = name;
        } else {
            self.deeper.push(name);
        }
        self.len += 1;
    }

    fn pop(&mut self) {
        if self.len > self.inline.len() {
            self.deeper.pop();
        }
        self.len = self.len.saturating_sub(1);
    }

    fn iter(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.inline[..self.len.min(self.inline.len())]
            .iter()
            .chain(self.deeper.iter())
            .copied()
    }

    fn last(&self) -> Option<&'a str> {
        match self.len {
            0 => None,
            n if n <= self.inline.len() => Some(self.inline[n - 1]),
            _ => self.deeper.last().copied(),
        }
    }
}

/// Decoding state for one message.
pub(crate) struct Decoder<'a> {
    src: &'a str,
    base: usize,
    reader: Reader<&'a [u8]>,
    strict: bool,
    path: Path<'a>,
    root_ns: Cow<'a, str>,
    prefixes: Vec<(&'a str, Cow<'a, str>)>,
    pub(crate) deviations: Vec<Deviation>,
    pub(crate) unknown: Vec<UnknownElement>,
}

impl<'a> Decoder<'a> {
    /// `base` is the number of input bytes stripped before `src` (BOM, leading whitespace), so that
    /// reported positions refer to the caller's input.
    pub(crate) fn new(src: &'a str, base: usize, mode: Mode) -> Self {
        Decoder {
            src,
            base,
            reader: Reader::from_str(src),
            strict: mode == Mode::Strict,
            path: Path::default(),
            root_ns: Cow::Borrowed(""),
            prefixes: Vec::new(),
            deviations: Vec::new(),
            unknown: Vec::new(),
        }
    }

    pub(crate) fn is_strict(&self) -> bool {
        self.strict
    }

    pub(crate) fn position(&self, offset: usize) -> Position {
        Position::locate(self.src, self.base, offset)
    }

    fn xml_error(&self, err: quick_xml::Error) -> DecodeError {
        let offset = usize::try_from(self.reader.error_position()).unwrap_or(usize::MAX);
        DecodeError::Xml {
            position: self.position(offset),
            message: err.to_string(),
        }
    }

    fn eof(&self) -> DecodeError {
        DecodeError::UnexpectedEof {
            element: local_name(self.path.last().unwrap_or_default()).to_owned(),
            position: self.position(self.src.len()),
        }
    }

    fn path_string(&self) -> String {
        let mut s = String::new();
        for p in self.path.iter() {
            s.push('/');
            s.push_str(local_name(p));
        }
        s
    }

    /// Record a deviation at the current element (strict mode only).
    pub(crate) fn deviate(&mut self, kind: DeviationKind, message: impl FnOnce() -> String) {
        if self.strict {
            let path = self.path_string();
            self.deviations.push(Deviation {
                path,
                kind,
                message: message(),
            });
        }
    }

    /// Record a deviation about a child (e.g. a missing one) of the current element.
    pub(crate) fn deviate_child(
        &mut self,
        child: &str,
        kind: DeviationKind,
        message: impl FnOnce() -> String,
    ) {
        if self.strict {
            let mut path = self.path_string();
            path.push('/');
            path.push_str(child);
            self.deviations.push(Deviation {
                path,
                kind,
                message: message(),
            });
        }
    }

    /// Resolve the entity and character references of text or an attribute value taken from the
    /// input; text without
    /// any (nearly all of it) is borrowed as is. The input is UTF-8 already, so unlike quick-xml's
    /// own `unescape` this does not validate it again.
    pub(crate) fn unescape(&self, s: &'a str) -> Result<Cow<'a, str>, DecodeError> {
        if memchr::memchr(b'&', s.as_bytes()).is_none() {
            return Ok(Cow::Borrowed(s));
        }
        quick_xml::escape::unescape(s).map_err(|e| self.xml_error(e.into()))
    }

    /// The attributes of a start tag.
    pub(crate) fn attributes(&self, tag: &Tag<'a>) -> Attributes<'a> {
        let base = tag.pos + 1 + tag.qname.len();
        Attributes {
            raw: tag.attributes,
            base,
            pos: 0,
            seen: [""; 8],
            count: 0,
            more: Vec::new(),
        }
    }

    /// Slice `bytes`, which quick-xml borrowed from the input, back out of `src` so that it lives
    /// for `'a`.
    fn reborrow(&self, bytes: &[u8]) -> Option<(usize, &'a str)> {
        let start = (bytes.as_ptr() as usize).checked_sub(self.src.as_ptr() as usize)?;
        let end = start.checked_add(bytes.len())?;
        self.src.get(start..end).map(|s| (start, s))
    }

    #[inline(always)]
    fn make_tag(&mut self, start: BytesStart<'a>, empty: bool) -> Result<Tag<'a>, DecodeError> {
        let name_len = start.name().as_ref().len();
        let content = self
            .reborrow(&start)
            .and_then(|(offset, s)| Some((offset, s.get(..name_len)?, s.get(name_len..)?)));
        let Some((offset, qname, attributes)) = content else {
            return Err(DecodeError::Xml {
                position: self.position(0),
                message: "element name outside the input".into(),
            });
        };
        // The local name is found only when needed: schema names have no prefix, so a name that
        // matches one as written needs no search for a colon (see `field_index`).
        self.path.push(qname);
        Ok(Tag {
            attributes,
            qname,
            empty,
            pos: offset.saturating_sub(1),
        })
    }

    /// Read up to the root element and note its namespace declarations.
    pub(crate) fn root(&mut self) -> Result<Tag<'a>, DecodeError> {
        loop {
            let event = self.reader.read_event().map_err(|e| self.xml_error(e))?;
            let tag = match event {
                Event::Start(e) => self.make_tag(e, false)?,
                Event::Empty(e) => self.make_tag(e, true)?,
                Event::Text(t) => {
                    if t.iter().all(u8::is_ascii_whitespace) {
                        continue;
                    }
                    let offset = usize::try_from(self.reader.buffer_position()).unwrap_or(0);
                    return Err(DecodeError::Xml {
                        position: self.position(offset.saturating_sub(t.len())),
                        message: "text before the root element".into(),
                    });
                }
                Event::Eof => return Err(DecodeError::Empty),
                _ => continue,
            };
            let mut default_ns = None;
            // Prefix bindings matter for a prefixed root, and for the per-element namespace check
            // of strict mode; tolerant decoding of an unprefixed root needs only `xmlns`.
            let keep_prefixes = self.strict || tag.qname.contains(':');
            let mut attributes = self.attributes(&tag);
            while let Some((key, value)) = attributes.next(self)? {
                if key == "xmlns" {
                    default_ns = Some(self.unescape(value)?);
                } else if let Some(prefix) = key.strip_prefix("xmlns:")
                    && keep_prefixes
                {
                    let value = self.unescape(value)?;
                    self.prefixes.push((prefix, value));
                }
            }
            self.root_ns = match tag.qname.split_once(':') {
                Some((prefix, _)) => self
                    .prefixes
                    .iter()
                    .find(|(p, _)| *p == prefix)
                    .map(|(_, ns)| ns.clone())
                    .unwrap_or(Cow::Borrowed("")),
                None => default_ns.unwrap_or(Cow::Borrowed("")),
            };
            return Ok(tag);
        }
    }

    pub(crate) fn root_namespace(&self) -> &str {
        &self.root_ns
    }

    /// After the root element: only whitespace, comments and processing instructions may follow.
    pub(crate) fn finish(&mut self) -> Result<(), DecodeError> {
        loop {
            match self.reader.read_event() {
                Ok(Event::Eof) => return Ok(()),
                Ok(Event::Text(t)) if t.iter().all(u8::is_ascii_whitespace) => {}
                Ok(Event::Comment(_) | Event::PI(_)) => {}
                Ok(_) => {
                    let offset = usize::try_from(self.reader.buffer_position()).unwrap_or(0);
                    return Err(DecodeError::TrailingContent {
                        position: self.position(offset),
                    });
                }
                Err(e) => return Err(self.xml_error(e)),
            }
        }
    }

    /// Check a child's namespace against the root's: a different prefix binding or a different
    /// default namespace is a "mixed namespace" (seen from Yealink).
    fn check_child_namespace(&mut self, tag: &Tag<'a>) {
        if let Some((prefix, _)) = tag.qname.split_once(':') {
            let bound = self
                .prefixes
                .iter()
                .find(|(p, _)| *p == prefix)
                .map(|(_, ns)| ns.as_ref());
            if bound != Some(self.root_ns.as_ref()) {
                let shown = bound.unwrap_or("(unbound)").to_owned();
                self.deviate(DeviationKind::MixedNamespace, || {
                    format!("prefix {prefix:?} is bound to {shown}, not the message namespace")
                });
            }
        }
        if tag.attributes.contains("xmlns") {
            let mut declared = None;
            let mut attributes = self.attributes(tag);
            // Malformed attributes of elements other than the root and device identifiers are
            // not read, so not reported either.
            while let Ok(Some((key, value))) = attributes.next(self) {
                if key == "xmlns" {
                    declared = self.unescape(value).ok().map(Cow::into_owned);
                }
            }
            if let Some(ns) = declared
                && *ns != *self.root_ns
            {
                self.deviate(DeviationKind::MixedNamespace, || {
                    format!("declares namespace {ns}, not the message namespace")
                });
            }
        }
    }

    /// Whether the element has content to iterate.
    pub(crate) fn enter(&self, tag: &Tag<'a>) -> bool {
        !tag.empty
    }

    /// Leave the current element; every decoder of a tag calls this exactly once.
    pub(crate) fn leave(&mut self) {
        self.path.pop();
    }

    /// Read the next child element of the current element into `child`; `false` at the end tag.
    /// The caller keeps the tag (rather than getting it back by value), which keeps this hot
    /// call from copying it through memory twice.
    #[inline(never)]
    pub(crate) fn next_child(&mut self, child: &mut Tag<'a>) -> Result<bool, DecodeError> {
        loop {
            match self.reader.read_event() {
                Ok(Event::Start(e)) => {
                    *child = self.make_tag(e, false)?;
                    if self.strict {
                        self.check_child_namespace(child);
                    }
                    return Ok(true);
                }
                Ok(Event::Empty(e)) => {
                    *child = self.make_tag(e, true)?;
                    if self.strict {
                        self.check_child_namespace(child);
                    }
                    return Ok(true);
                }
                Ok(Event::End(_)) => return Ok(false),
                Ok(Event::Text(t)) => {
                    if !t.iter().all(u8::is_ascii_whitespace) {
                        self.deviate(DeviationKind::UnexpectedText, || {
                            "character data in element-only content".into()
                        });
                    }
                }
                Ok(Event::CData(_)) => self.deviate(DeviationKind::UnexpectedText, || {
                    "CDATA in element-only content".into()
                }),
                Ok(Event::Eof) => return Err(self.eof()),
                Ok(_) => {}
                Err(e) => return Err(self.xml_error(e)),
            }
        }
    }

    /// The character content of the current element (entities resolved). Child elements inside
    /// it are kept as unknown elements.
    pub(crate) fn text(&mut self, tag: &Tag<'a>) -> Result<Cow<'a, str>, DecodeError> {
        if tag.empty {
            return Ok(Cow::Borrowed(""));
        }
        let mut acc: Option<Cow<'a, str>> = None;
        loop {
            let piece: Cow<'a, str> = match self.reader.read_event() {
                Ok(Event::Text(t)) => match self.reborrow(&t) {
                    Some((_, s)) => self.unescape(s)?,
                    None => t.unescape().map_err(|e| self.xml_error(e))?,
                },
                Ok(Event::CData(c)) => match self.reborrow(&c) {
                    Some((_, s)) => Cow::Borrowed(s),
                    None => Cow::Owned(String::from_utf8_lossy(&c).into_owned()),
                },
                Ok(Event::Start(e)) => {
                    let child = self.make_tag(e, false)?;
                    self.unknown_element(&child)?;
                    continue;
                }
                Ok(Event::Empty(e)) => {
                    let child = self.make_tag(e, true)?;
                    self.unknown_element(&child)?;
                    continue;
                }
                Ok(Event::End(_)) => return Ok(acc.unwrap_or(Cow::Borrowed(""))),
                Ok(Event::Eof) => return Err(self.eof()),
                Ok(_) => continue,
                Err(e) => return Err(self.xml_error(e)),
            };
            acc = Some(match acc {
                None => piece,
                Some(prev) => Cow::Owned(prev.into_owned() + &piece),
            });
        }
    }

    /// The content of the current element as written, start tag and end tag excluded.
    pub(crate) fn raw(&mut self, tag: &Tag<'a>) -> Result<&'a str, DecodeError> {
        if tag.empty {
            return Ok("");
        }
        let span = self
            .reader
            .read_to_end(QName(tag.qname.as_bytes()))
            .map_err(|e| self.xml_error(e))?;
        let start = usize::try_from(span.start).unwrap_or(usize::MAX);
        let end = usize::try_from(span.end).unwrap_or(usize::MAX);
        Ok(self.src.get(start..end).unwrap_or_default())
    }

    /// Skip the current element's content.
    pub(crate) fn skip(&mut self, tag: &Tag<'a>) -> Result<(), DecodeError> {
        self.raw(tag).map(|_| ())
    }

    /// Keep an element the schema does not have at this place, and leave it.
    #[inline(never)]
    pub(crate) fn unknown_element(&mut self, tag: &Tag<'a>) -> Result<(), DecodeError> {
        self.skip(tag)?;
        let end = usize::try_from(self.reader.buffer_position()).unwrap_or(self.src.len());
        let xml = self.src.get(tag.pos..end).unwrap_or_default().to_owned();
        let path = self.path_string();
        let name = tag.local();
        self.deviate(DeviationKind::UnknownElement, || {
            format!("element {name:?} is not part of the schema here")
        });
        self.unknown.push(UnknownElement { path, xml });
        self.leave();
        Ok(())
    }

    /// Find a child's field index by name: the exact schema name, or (recorded as a misspelling)
    /// a name that differs only in case or in the spellings vendors are known to use.
    #[inline(never)]
    pub(crate) fn field_index(&mut self, tag: &Tag<'a>, names: &[&str]) -> Option<usize> {
        if let Some(i) = names.iter().position(|n| *n == tag.qname) {
            return Some(i);
        }
        let local = tag.local();
        if local.len() != tag.qname.len()
            && let Some(i) = names.iter().position(|n| *n == local)
        {
            return Some(i);
        }
        let wanted = normalize_name(local);
        let i = names.iter().position(|n| normalize_name(n) == wanted)?;
        let (got, canonical) = (local, names[i]);
        self.deviate(DeviationKind::MisspelledElement, || {
            format!("{got:?} should be spelled {canonical:?}")
        });
        Some(i)
    }

    /// Report order and repetition deviations of child `i` (`dup`: it occurred before). Only
    /// strict decoding calls this.
    pub(crate) fn check_sequence(
        &mut self,
        i: usize,
        names: &[&str],
        kinds: &[Slot],
        last: &mut usize,
        dup: bool,
    ) {
        if dup && kinds[i] != Slot::List {
            let name = names[i];
            self.deviate(DeviationKind::Duplicate, || {
                format!("{name:?} may occur only once")
            });
        } else if i < *last {
            let (name, after) = (names[i], names[*last]);
            self.deviate(DeviationKind::WrongOrder, || {
                format!("{name:?} must come before {after:?}")
            });
        }
        *last = (*last).max(i);
    }

    /// Report mandatory children that did not occur.
    pub(crate) fn check_mandatory(&mut self, seen: u64, names: &[&str], kinds: &[Slot]) {
        if !self.strict {
            return;
        }
        for (i, kind) in kinds.iter().enumerate() {
            if *kind == Slot::Required && seen & (1u64 << i) == 0 {
                let name = names[i];
                self.deviate_child(name, DeviationKind::MissingMandatory, || {
                    format!("mandatory element {name:?} is missing")
                });
            }
        }
    }
}

/// Fold the spellings real implementations use onto one form: case, ECMA's own `Transfered`,
/// `dialing`/`dialling`, `Id`/`ID`, and MX's `privateErrorCode` for the `privateData` error
/// category (see [`CSTAErrorCode`](crate::CSTAErrorCode)).
pub(crate) fn normalize_name(name: &str) -> String {
    name.to_ascii_lowercase()
        .replace("transfered", "transferred")
        .replace("dialling", "dialing")
        .replace("crossreferenceid", "crossrefid")
        .replace("privateerrorcode", "privatedata")
}
