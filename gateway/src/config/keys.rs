//! Every key a configuration file may hold, read from the configuration types themselves: their
//! `Deserialize` impls are driven by a deserializer that answers every question with a sample
//! value and notes the path of every value asked for. `docs/configuration.md` is held equal to
//! this list by a test, so the reference cannot leave out a key or keep one that is gone.

use std::cell::RefCell;
use std::rc::Rc;

use serde::Deserialize;
use serde::de::value::{Error, StrDeserializer};
use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};

use super::Config;

/// The dotted path of every key (`tls.server_cert`); a map's entries are spelled `<id>`
/// (`partners.<id>.token_key`).
pub fn keys() -> Vec<String> {
    let found = Rc::new(RefCell::new(Vec::new()));
    // The sample values need not make a valid configuration: only the questions count.
    let _ = Config::deserialize(Tracer {
        path: String::new(),
        found: found.clone(),
    });
    let mut keys = found.take();
    keys.sort();
    keys.dedup();
    keys
}

/// A sample every string-like key parses as (a path, an address, a URL, a name).
const SAMPLE: &str = "127.0.0.1:1";

struct Tracer {
    path: String,
    found: Rc<RefCell<Vec<String>>>,
}

impl Tracer {
    fn leaf(&self) {
        self.found.borrow_mut().push(self.path.clone());
    }

    fn below(&self, name: &str) -> Self {
        Self {
            path: if self.path.is_empty() {
                name.to_owned()
            } else {
                format!("{}.{name}", self.path)
            },
            found: self.found.clone(),
        }
    }
}

macro_rules! leaf {
    ($($method:ident => $visit:ident($($value:expr)?)),* $(,)?) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            self.leaf();
            visitor.$visit($($value)?)
        })*
    };
}

impl<'de> de::Deserializer<'de> for Tracer {
    type Error = Error;

    leaf! {
        deserialize_any => visit_str(SAMPLE),
        deserialize_bool => visit_bool(false),
        deserialize_i8 => visit_i64(1),
        deserialize_i16 => visit_i64(1),
        deserialize_i32 => visit_i64(1),
        deserialize_i64 => visit_i64(1),
        deserialize_u8 => visit_u64(1),
        deserialize_u16 => visit_u64(1),
        deserialize_u32 => visit_u64(1),
        deserialize_u64 => visit_u64(1),
        deserialize_f32 => visit_f64(1.0),
        deserialize_f64 => visit_f64(1.0),
        deserialize_char => visit_char('x'),
        deserialize_str => visit_str(SAMPLE),
        deserialize_string => visit_str(SAMPLE),
        deserialize_bytes => visit_bytes(SAMPLE.as_bytes()),
        deserialize_byte_buf => visit_bytes(SAMPLE.as_bytes()),
        deserialize_unit => visit_unit(),
        deserialize_identifier => visit_str(SAMPLE),
        deserialize_ignored_any => visit_unit(),
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_some(self)
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.leaf();
        visitor.visit_seq(de::value::SeqDeserializer::<_, Error>::new(
            std::iter::empty::<()>(),
        ))
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    /// A table of entries by id (`[partners.<id>]`): one entry, named `<id>`.
    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_map(Fields {
            names: &["<id>"],
            next: 0,
            tracer: self,
        })
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_map(Fields {
            names: fields,
            next: 0,
            tracer: self,
        })
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.leaf();
        let first: StrDeserializer<'_, Error> =
            variants.first().copied().unwrap_or("").into_deserializer();
        visitor.visit_enum(first)
    }
}

/// A struct's fields (or a map's one entry), each value traced under its name.
struct Fields {
    names: &'static [&'static str],
    next: usize,
    tracer: Tracer,
}

impl<'de> de::MapAccess<'de> for Fields {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some(name) = self.names.get(self.next) else {
            return Ok(None);
        };
        let key: StrDeserializer<'_, Error> = name.into_deserializer();
        seed.deserialize(key).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let name = self.names[self.next];
        self.next += 1;
        seed.deserialize(self.tracer.below(name))
    }
}
