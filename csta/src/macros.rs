//! Declarative generators for the ECMA-323 mapping. One declaration per schema type yields the
//! Rust type, its decoder and its encoder, with the children in the schema's sequence order, so the
//! message catalogue reads like the schema it implements.
//!
//! - `csta_struct!`: an `xsd:sequence`; each field is `name: req|opt|list Type = "xmlName"`.
//! - `csta_choice!`: an `xsd:choice`; each variant is `Name(Type) = "xmlName"` or `Name = "xmlName"`
//!   for an empty element.
//! - `csta_enum!`: an `xsd:enumeration` of strings, with an `Unknown(String)` fallback for values
//!   the schema does not list.

macro_rules! slot_ty {
    (req $t:ty) => { $t };
    (opt $t:ty) => { Option<$t> };
    (list $t:ty) => { Vec<$t> };
}

macro_rules! slot_kind {
    (req) => {
        $crate::xml::Slot::Required
    };
    (opt) => {
        $crate::xml::Slot::Optional
    };
    (list) => {
        $crate::xml::Slot::List
    };
}

macro_rules! slot_decode {
    // Children are decoded in place: into the field itself (reset first if the element repeats),
    // into a fresh `Some`, or into a new last list entry, so no decoded value is moved afterwards.
    (req, $place:expr, $dup:expr, $d:ident, $c:ident) => {{
        if $dup {
            $place = Default::default();
        }
        $crate::xml::XmlValue::decode_into(&mut $place, $d, &$c)?
    }};
    (opt, $place:expr, $dup:expr, $d:ident, $c:ident) => {{
        let slot = $place.insert(Default::default());
        $crate::xml::XmlValue::decode_into(slot, $d, &$c)?
    }};
    (list, $place:expr, $dup:expr, $d:ident, $c:ident) => {{
        $place.push(Default::default());
        if let Some(slot) = $place.last_mut() {
            $crate::xml::XmlValue::decode_into(slot, $d, &$c)?
        }
    }};
}

macro_rules! slot_encode {
    (req, $value:expr, $w:ident, $name:literal) => {
        $crate::xml::XmlValue::encode(&$value, $w, $name)
    };
    (opt, $value:expr, $w:ident, $name:literal) => {
        if let Some(v) = &$value {
            $crate::xml::XmlValue::encode(v, $w, $name)
        }
    };
    (list, $value:expr, $w:ident, $name:literal) => {
        for v in &$value {
            $crate::xml::XmlValue::encode(v, $w, $name)
        }
    };
}

#[cfg(test)]
macro_rules! slot_strategy {
    (req $t:ty) => {
        <$t as $crate::xml::arb::Gen>::strategy()
    };
    (opt $t:ty) => {
        proptest::option::of(<$t as $crate::xml::arb::Gen>::strategy())
    };
    (list $t:ty) => {
        proptest::collection::vec(<$t as $crate::xml::arb::Gen>::strategy(), 0..3)
    };
}

macro_rules! csta_struct {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {}
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
        pub struct $name {}

        impl $crate::xml::Absent for $name {}

        impl $name {
            pub(crate) fn encode_children(&self, _w: &mut $crate::xml::Writer) {}
        }

        impl $crate::xml::XmlValue for $name {
            fn decode<'a>(
                d: &mut $crate::xml::Decoder<'a>,
                tag: &$crate::xml::Tag<'a>,
            ) -> Result<Self, $crate::DecodeError> {
                if d.enter(tag) {
                    let mut child = $crate::xml::Tag::default();
            while d.next_child(&mut child)? {
                        d.unknown_element(&child)?;
                    }
                }
                d.leave();
                Ok($name {})
            }

            fn encode(&self, w: &mut $crate::xml::Writer, name: &str) {
                w.empty(name);
            }
        }

        #[cfg(test)]
        impl $crate::xml::arb::Gen for $name {
            fn strategy() -> proptest::strategy::BoxedStrategy<Self> {
                use proptest::strategy::Strategy;
                proptest::strategy::Just($name {}).boxed()
            }
        }
    };
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $(
                $(#[$fmeta:meta])*
                $field:ident : $kind:ident $ty:ty = $xml:literal
            ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
        pub struct $name {
            $(
                $(#[$fmeta])*
                #[serde(rename = $xml, default, skip_serializing_if = "crate::xml::Absent::absent")]
                pub $field: slot_ty!($kind $ty),
            )+
        }

        impl $crate::xml::Absent for $name {}

        impl $name {
            const NAMES: &'static [&'static str] = &[$($xml),+];
            const KINDS: &'static [$crate::xml::Slot] = &[$(slot_kind!($kind)),+];

            pub(crate) fn encode_children(&self, w: &mut $crate::xml::Writer) {
                $( slot_encode!($kind, self.$field, w, $xml); )+
            }
        }

        const _: () = assert!($name::NAMES.len() <= 64);

        impl $crate::xml::XmlValue for $name {
            fn decode<'a>(
                d: &mut $crate::xml::Decoder<'a>,
                tag: &$crate::xml::Tag<'a>,
            ) -> Result<Self, $crate::DecodeError> {
                let mut out = Self::default();
                out.decode_into(d, tag)?;
                Ok(out)
            }

            fn decode_into<'a>(
                &mut self,
                d: &mut $crate::xml::Decoder<'a>,
                tag: &$crate::xml::Tag<'a>,
            ) -> Result<(), $crate::DecodeError> {
                let out = self;
                let mut seen = 0u64;
                if d.enter(tag) {
                    let mut last = 0usize;
                    let mut child = $crate::xml::Tag::default();
            while d.next_child(&mut child)? {
                        let Some(i) = d.field_index(&child, Self::NAMES) else {
                            d.unknown_element(&child)?;
                            continue;
                        };
                        let bit = 1u64 << i;
                        let dup = seen & bit != 0;
                        seen |= bit;
                        if d.is_strict() {
                            d.check_sequence(i, Self::NAMES, Self::KINDS, &mut last, dup);
                        }
                        #[allow(non_camel_case_types)]
                        enum Field { $( $field, )+ }
                        match i {
                            $( _ if i == Field::$field as usize => slot_decode!($kind, out.$field, dup, d, child), )+
                            _ => d.unknown_element(&child)?,
                        }
                    }
                }
                d.check_mandatory(seen, Self::NAMES, Self::KINDS);
                d.leave();
                Ok(())
            }

            fn encode(&self, w: &mut $crate::xml::Writer, name: &str) {
                let mark = w.open(name);
                self.encode_children(w);
                w.close(name, mark);
            }
        }

        #[cfg(test)]
        impl $crate::xml::arb::Gen for $name {
            fn strategy() -> proptest::strategy::BoxedStrategy<Self> {
                use proptest::strategy::Strategy;
                let s = proptest::strategy::Just(Self::default()).boxed();
                $(
                    let s = (s, slot_strategy!($kind $ty))
                        .prop_map(|(mut o, v)| {
                            o.$field = v;
                            o
                        })
                        .boxed();
                )+
                s
            }
        }
    };
}

macro_rules! choice_decode {
    ($v:ident ; $d:ident, $c:ident) => {{
        $d.skip(&$c)?;
        $d.leave();
        Self::$v
    }};
    ($v:ident ($t:ty) ; $d:ident, $c:ident) => {
        Self::$v(<$t as $crate::xml::XmlValue>::decode($d, &$c)?)
    };
}

macro_rules! choice_encode {
    (@arms $self:ident $w:ident [$($arms:tt)*]) => {
        match $self { $($arms)* }
    };
    (@arms $self:ident $w:ident [$($arms:tt)*] $v:ident ($t:ty) = $xml:literal, $($rest:tt)*) => {
        choice_encode!(@arms $self $w [$($arms)* Self::$v(x) => $crate::xml::XmlValue::encode(x, $w, $xml),] $($rest)*)
    };
    (@arms $self:ident $w:ident [$($arms:tt)*] $v:ident = $xml:literal, $($rest:tt)*) => {
        choice_encode!(@arms $self $w [$($arms)* Self::$v => $w.empty($xml),] $($rest)*)
    };
}

#[cfg(test)]
macro_rules! choice_strategy {
    ($v:ident) => {
        proptest::strategy::Just(Self::$v).boxed()
    };
    ($v:ident ($t:ty)) => {
        <$t as $crate::xml::arb::Gen>::strategy()
            .prop_map(Self::$v)
            .boxed()
    };
}

macro_rules! csta_choice {
    (
        $(#[$meta:meta])*
        pub enum $name:ident default $default:expr; {
            $(
                $(#[$vmeta:meta])*
                $variant:ident $(($ty:ty))? = $xml:literal
            ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $(
                $(#[$vmeta])*
                #[serde(rename = $xml)]
                $variant $(($ty))?,
            )+
        }

        impl Default for $name {
            fn default() -> Self {
                $default
            }
        }

        impl $crate::xml::Absent for $name {}

        impl $name {
            const NAMES: &'static [&'static str] = &[$($xml),+];
        }

        impl $crate::xml::XmlValue for $name {
            fn decode<'a>(
                d: &mut $crate::xml::Decoder<'a>,
                tag: &$crate::xml::Tag<'a>,
            ) -> Result<Self, $crate::DecodeError> {
                let mut out: Option<Self> = None;
                if d.enter(tag) {
                    let mut child = $crate::xml::Tag::default();
            while d.next_child(&mut child)? {
                        let Some(i) = d.field_index(&child, Self::NAMES) else {
                            d.unknown_element(&child)?;
                            continue;
                        };
                        let value = match Self::NAMES[i] {
                            $( $xml => choice_decode!($variant $(($ty))? ; d, child), )+
                            _ => {
                                d.unknown_element(&child)?;
                                continue;
                            }
                        };
                        if out.is_some() {
                            d.deviate($crate::error::DeviationKind::Duplicate, || {
                                "a choice holds more than one alternative".into()
                            });
                        } else {
                            out = Some(value);
                        }
                    }
                }
                let value = match out {
                    Some(v) => v,
                    None => {
                        d.deviate($crate::error::DeviationKind::MissingMandatory, || {
                            format!("one of {:?} is required", Self::NAMES)
                        });
                        Self::default()
                    }
                };
                d.leave();
                Ok(value)
            }

            fn encode(&self, w: &mut $crate::xml::Writer, name: &str) {
                let mark = w.open(name);
                choice_encode!(@arms self w [] $($variant $(($ty))? = $xml,)+);
                w.close(name, mark);
            }
        }

        #[cfg(test)]
        impl $crate::xml::arb::Gen for $name {
            fn strategy() -> proptest::strategy::BoxedStrategy<Self> {
                use proptest::strategy::Strategy;
                proptest::strategy::Union::new(vec![
                    $( choice_strategy!($variant $(($ty))?), )+
                ])
                .boxed()
            }
        }
    };
}

macro_rules! csta_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $(#[$fmeta:meta])*
            $first:ident = $first_xml:literal
            $(,
                $(#[$vmeta:meta])*
                $variant:ident = $xml:literal
            )* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $(#[$fmeta])*
            #[serde(rename = $first_xml)]
            $first,
            $(
                $(#[$vmeta])*
                #[serde(rename = $xml)]
                $variant,
            )*
            /// A value the schema does not list, kept as received.
            #[serde(untagged)]
            Unknown(String),
        }

        impl Default for $name {
            fn default() -> Self {
                Self::$first
            }
        }

        impl $crate::xml::Absent for $name {}

        impl $name {
            /// Every value the schema lists.
            pub const ALL: &'static [$name] = &[Self::$first, $(Self::$variant),*];

            /// The schema spelling of the value.
            pub fn as_str(&self) -> &str {
                match self {
                    Self::$first => $first_xml,
                    $( Self::$variant => $xml, )*
                    Self::Unknown(s) => s,
                }
            }

            /// The value with exactly this schema spelling.
            pub fn from_schema(s: &str) -> Option<Self> {
                match s {
                    $first_xml => Some(Self::$first),
                    $( $xml => Some(Self::$variant), )*
                    _ => None,
                }
            }
        }

        impl $crate::xml::XmlValue for $name {
            fn decode<'a>(
                d: &mut $crate::xml::Decoder<'a>,
                tag: &$crate::xml::Tag<'a>,
            ) -> Result<Self, $crate::DecodeError> {
                let text = d.text(tag)?;
                let value = $crate::types::decode_enum(d, text.trim(), Self::from_schema, Self::ALL, Self::as_str, Self::Unknown);
                d.leave();
                Ok(value)
            }

            fn encode(&self, w: &mut $crate::xml::Writer, name: &str) {
                w.text_element(name, self.as_str());
            }
        }

        #[cfg(test)]
        impl $crate::xml::arb::Gen for $name {
            fn strategy() -> proptest::strategy::BoxedStrategy<Self> {
                use proptest::strategy::Strategy;
                proptest::sample::select(Self::ALL).boxed()
            }
        }
    };
}
