//! The ECMA-323 XML mapping machinery: the value traits every CSTA type implements, the writer,
//! and the codecs of the XML Schema built-in types ECMA-323 uses (`xsd:string`, `xsd:boolean`,
//! `xsd:integer`) plus verbatim XML for private data.

mod decoder;
mod writer;

pub(crate) use decoder::{Decoder, Slot, Tag, normalize_name};
pub(crate) use writer::Writer;

use serde::{Deserialize, Serialize};

use crate::error::{DecodeError, DeviationKind};

/// A value that maps to one XML element.
pub(crate) trait XmlValue: Sized + Default {
    /// Decode the element whose start tag is `tag`; ends with [`Decoder::leave`].
    fn decode<'a>(d: &mut Decoder<'a>, tag: &Tag<'a>) -> Result<Self, DecodeError>;
    /// Decode the element into `self`, which holds the default value; for large structures this
    /// avoids moving the finished value (the message decoders fill a heap allocation this way).
    fn decode_into<'a>(&mut self, d: &mut Decoder<'a>, tag: &Tag<'a>) -> Result<(), DecodeError> {
        *self = Self::decode(d, tag)?;
        Ok(())
    }
    /// Encode as an element called `name`.
    fn encode(&self, w: &mut Writer, name: &str);
}

/// Whether a field is left out of the JSON form (absent options and empty lists).
pub(crate) trait Absent {
    fn absent(&self) -> bool {
        false
    }
}

impl<T> Absent for Option<T> {
    fn absent(&self) -> bool {
        self.is_none()
    }
}

impl<T> Absent for Vec<T> {
    fn absent(&self) -> bool {
        self.is_empty()
    }
}

impl Absent for String {}
impl Absent for bool {}
impl Absent for u32 {}
impl Absent for i64 {}

impl XmlValue for String {
    fn decode<'a>(d: &mut Decoder<'a>, tag: &Tag<'a>) -> Result<Self, DecodeError> {
        let text = d.text(tag)?.into_owned();
        d.leave();
        Ok(text)
    }

    fn encode(&self, w: &mut Writer, name: &str) {
        w.text_element(name, self);
    }
}

impl XmlValue for bool {
    fn decode<'a>(d: &mut Decoder<'a>, tag: &Tag<'a>) -> Result<Self, DecodeError> {
        let text = d.text(tag)?;
        let value = match text.trim() {
            "true" | "1" => true,
            "false" | "0" => false,
            other => {
                let v = other.eq_ignore_ascii_case("true");
                let shown = other.to_owned();
                d.deviate(DeviationKind::InvalidValue, || {
                    format!("{shown:?} is not an xsd:boolean")
                });
                v
            }
        };
        d.leave();
        Ok(value)
    }

    fn encode(&self, w: &mut Writer, name: &str) {
        w.text_element(name, if *self { "true" } else { "false" });
    }
}

macro_rules! integer_value {
    ($t:ty) => {
        impl XmlValue for $t {
            fn decode<'a>(d: &mut Decoder<'a>, tag: &Tag<'a>) -> Result<Self, DecodeError> {
                let text = d.text(tag)?;
                let value = match text.trim().parse::<$t>() {
                    Ok(v) => v,
                    Err(_) => {
                        let shown = text.into_owned();
                        d.deviate(DeviationKind::InvalidValue, || {
                            format!("{shown:?} is not an integer")
                        });
                        0
                    }
                };
                d.leave();
                Ok(value)
            }

            fn encode(&self, w: &mut Writer, name: &str) {
                w.text_element(name, &self.to_string());
            }
        }
    };
}

integer_value!(u32);
integer_value!(i64);

/// XML kept verbatim: the content of an element (between its start and end tags) exactly as it
/// was received. Used for private data (`extensions`) and for the rarely used ECMA-269 structures
/// this codec does not model field by field; such content is never dropped and is written back
/// unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RawXml(pub String);

impl Absent for RawXml {}

impl XmlValue for RawXml {
    fn decode<'a>(d: &mut Decoder<'a>, tag: &Tag<'a>) -> Result<Self, DecodeError> {
        let raw = d.raw(tag)?.to_owned();
        d.leave();
        Ok(RawXml(raw))
    }

    fn encode(&self, w: &mut Writer, name: &str) {
        let mark = w.open(name);
        w.raw(&self.0);
        w.close(name, mark);
    }
}

/// One named boolean of an ECMA-269 BIT STRING, which ECMA-323 writes as a sequence of boolean
/// elements (`<voice>true</voice>`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Flag {
    /// The bit's name, e.g. `delivered` or `answerCall`.
    pub name: String,
    /// Whether it is set.
    pub value: bool,
}

/// An ECMA-269 BIT STRING (monitor filters, media classes, capability lists), kept in document
/// order with every bit as written.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FlagSet(pub Vec<Flag>);

impl Absent for FlagSet {}

impl FlagSet {
    /// Whether the bit `name` is present and true.
    pub fn is_set(&self, name: &str) -> bool {
        self.0.iter().any(|f| f.name == name && f.value)
    }
}

impl XmlValue for FlagSet {
    fn decode<'a>(d: &mut Decoder<'a>, tag: &Tag<'a>) -> Result<Self, DecodeError> {
        let mut flags = Vec::new();
        if d.enter(tag) {
            let mut child = Tag::default();
            while d.next_child(&mut child)? {
                let name = child.local().to_owned();
                let value = bool::decode(d, &child)?;
                flags.push(Flag { name, value });
            }
        }
        d.leave();
        Ok(FlagSet(flags))
    }

    fn encode(&self, w: &mut Writer, name: &str) {
        let mark = w.open(name);
        for flag in &self.0 {
            flag.value.encode(w, &flag.name);
        }
        w.close(name, mark);
    }
}

/// Groups of BIT STRINGs under their own element names, as in the capability lists of
/// GetCSTAFeatures (`<supportedServices><callControlServList>...</callControlServList>...`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FlagGroups(pub Vec<FlagGroup>);

/// One named BIT STRING inside [`FlagGroups`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FlagGroup {
    /// The list's element name, e.g. `callControlServList`.
    pub name: String,
    /// Its bits.
    pub flags: FlagSet,
}

impl Absent for FlagGroups {}

impl FlagGroups {
    /// The group called `name`.
    pub fn group(&self, name: &str) -> Option<&FlagSet> {
        self.0.iter().find(|g| g.name == name).map(|g| &g.flags)
    }
}

impl XmlValue for FlagGroups {
    fn decode<'a>(d: &mut Decoder<'a>, tag: &Tag<'a>) -> Result<Self, DecodeError> {
        let mut groups = Vec::new();
        if d.enter(tag) {
            let mut child = Tag::default();
            while d.next_child(&mut child)? {
                let name = child.local().to_owned();
                let flags = FlagSet::decode(d, &child)?;
                groups.push(FlagGroup { name, flags });
            }
        }
        d.leave();
        Ok(FlagGroups(groups))
    }

    fn encode(&self, w: &mut Writer, name: &str) {
        let mark = w.open(name);
        for group in &self.0 {
            group.flags.encode(w, &group.name);
        }
        w.close(name, mark);
    }
}

#[cfg(test)]
pub(crate) mod arb {
    //! Value generators for the round-trip property tests: only values the XML form can carry
    //! (no control characters, element names that are XML names).

    use proptest::prelude::*;

    use super::{Flag, FlagGroup, FlagGroups, FlagSet, RawXml};

    /// A generator of values of `Self`.
    pub(crate) trait Gen: Sized + std::fmt::Debug + Clone + 'static {
        fn strategy() -> BoxedStrategy<Self>;
    }

    impl Gen for String {
        fn strategy() -> BoxedStrategy<Self> {
            "[a-zA-Z0-9 +:@._<>&'\"é中-]{0,10}".boxed()
        }
    }

    impl Gen for bool {
        fn strategy() -> BoxedStrategy<Self> {
            any::<bool>().boxed()
        }
    }

    impl Gen for u32 {
        fn strategy() -> BoxedStrategy<Self> {
            any::<u32>().boxed()
        }
    }

    impl Gen for i64 {
        fn strategy() -> BoxedStrategy<Self> {
            any::<i64>().boxed()
        }
    }

    impl Gen for RawXml {
        fn strategy() -> BoxedStrategy<Self> {
            prop_oneof![
                Just(String::new()),
                "[a-z0-9 ]{1,6}",
                "[a-z]{1,6}".prop_map(|n| format!("<{n}>x &amp; y</{n}>")),
                ("[a-z]{1,6}", "[a-z]{1,6}")
                    .prop_map(|(a, b)| format!("<private><{a}><{b}/></{a}></private>")),
            ]
            .prop_map(RawXml)
            .boxed()
        }
    }

    fn flag_name() -> impl Strategy<Value = String> {
        "[a-z][a-zA-Z]{0,8}"
    }

    impl Gen for FlagSet {
        fn strategy() -> BoxedStrategy<Self> {
            proptest::collection::vec(
                (flag_name(), any::<bool>()).prop_map(|(name, value)| Flag { name, value }),
                0..4,
            )
            .prop_map(FlagSet)
            .boxed()
        }
    }

    impl Gen for FlagGroups {
        fn strategy() -> BoxedStrategy<Self> {
            proptest::collection::vec(
                (flag_name(), FlagSet::strategy())
                    .prop_map(|(name, flags)| FlagGroup { name, flags }),
                0..3,
            )
            .prop_map(FlagGroups)
            .boxed()
        }
    }
}
