//! Where each node of a YAML document is: a first pass over the parser's events that records, for
//! every field path (`models[2].firmware[0].version`), the line and column of its key and of its
//! value.
//!
//! serde-saphyr reports a location but no field path; the loader's own checks know the path but
//! not the location. This map answers both ways: [`SourceMap::locate`] gives the place of a path,
//! [`SourceMap::path_at`] the path of a place. Nodes reached through an alias (`*id001`) are also
//! listed under the alias's path, pointing at the anchored definition, which is the text to edit.

use std::collections::BTreeMap;

use serde_saphyr::granit_parser::{Event, Parser, Span};

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    /// 1-based line.
    pub line: u32,
    /// 1-based column (characters).
    pub column: u32,
}

impl Position {
    fn from_span(span: &Span) -> Self {
        Position {
            line: u32::try_from(span.start.line()).unwrap_or(u32::MAX),
            column: u32::try_from(span.start.col() + 1).unwrap_or(u32::MAX),
        }
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Place {
    key: Option<Position>,
    value: Option<Position>,
}

enum Frame {
    Map {
        path: String,
        key: Option<String>,
    },
    Seq {
        path: String,
        next: usize,
    },
    /// A collection used as a mapping key: skipped.
    Ignored,
}

/// Field paths and their positions in one document.
#[derive(Debug, Default)]
pub struct SourceMap {
    places: BTreeMap<String, Place>,
    /// Every key and value start in document order, for reverse look-up.
    by_position: Vec<(Position, bool, String)>,
}

impl SourceMap {
    /// Reads the document's events. Parse errors end the pass quietly: serde reports them.
    pub fn build(text: &str) -> Self {
        let mut map = SourceMap::default();
        let mut stack: Vec<Frame> = Vec::new();
        let mut anchors: BTreeMap<usize, String> = BTreeMap::new();
        for item in Parser::new_from_str(text) {
            let Ok((event, span)) = item else { break };
            let position = Position::from_span(&span);
            match event {
                Event::Scalar(value, _, anchor, _) => {
                    if let Some(Frame::Map { path, key }) = stack.last_mut()
                        && key.is_none()
                    {
                        let child = join_key(path, &value);
                        map.record(&child, position, true);
                        *key = Some(child);
                        continue;
                    }
                    if let Some(path) = next_path(&mut stack) {
                        map.record(&path, position, false);
                        remember(&mut anchors, anchor, &path);
                    }
                }
                Event::MappingStart(_, anchor, _) | Event::SequenceStart(_, anchor, _) => {
                    let is_map = matches!(event, Event::MappingStart(..));
                    if let Some(Frame::Map { key: None, .. } | Frame::Ignored) = stack.last() {
                        stack.push(Frame::Ignored);
                        continue;
                    }
                    let Some(path) = next_path(&mut stack) else {
                        stack.push(Frame::Ignored);
                        continue;
                    };
                    map.record(&path, position, false);
                    remember(&mut anchors, anchor, &path);
                    stack.push(if is_map {
                        Frame::Map { path, key: None }
                    } else {
                        Frame::Seq { path, next: 0 }
                    });
                }
                Event::MappingEnd | Event::SequenceEnd => {
                    stack.pop();
                }
                Event::Alias(anchor) => {
                    if let Some(path) = next_path(&mut stack) {
                        map.record(&path, position, false);
                        if let Some(origin) = anchors.get(&anchor) {
                            map.copy_subtree(origin, &path);
                        }
                    }
                }
                _ => {}
            }
        }
        map.by_position.sort_by_key(|entry| entry.0);
        map
    }

    fn record(&mut self, path: &str, position: Position, is_key: bool) {
        let place = self.places.entry(path.to_owned()).or_default();
        if is_key {
            place.key.get_or_insert(position);
        } else {
            place.value.get_or_insert(position);
        }
        self.by_position.push((position, is_key, path.to_owned()));
    }

    /// Lists the nodes below `origin` again below `alias` (same positions: the definition).
    fn copy_subtree(&mut self, origin: &str, alias: &str) {
        let copies: Vec<(String, Place)> = self
            .places
            .range(origin.to_owned()..)
            .take_while(|(p, _)| p.starts_with(origin))
            .filter_map(|(p, place)| {
                let rest = &p[origin.len()..];
                (rest.starts_with('.') || rest.starts_with('['))
                    .then(|| (format!("{alias}{rest}"), *place))
            })
            .collect();
        for (path, place) in copies {
            self.places.entry(path).or_insert(place);
        }
    }

    /// Where `path` is written: its key when it has one (`since:`), else its value (a list item),
    /// else the nearest enclosing node that is written.
    pub fn locate(&self, path: &str) -> Option<Position> {
        let mut path = path;
        loop {
            if let Some(position) = self.places.get(path).and_then(|p| p.key.or(p.value)) {
                return Some(position);
            }
            path = parent(path)?;
        }
    }

    /// The path of the node at `position`: a key when `prefer_key` (serde points unknown fields
    /// at their key), else the deepest value starting there; failing an exact hit, the last node
    /// that starts before it.
    pub fn path_at(&self, position: Position, prefer_key: bool) -> Option<&str> {
        let exact: Vec<&(Position, bool, String)> = self
            .by_position
            .iter()
            .filter(|(p, _, _)| *p == position)
            .collect();
        let pick = exact
            .iter()
            .filter(|(_, is_key, _)| *is_key == prefer_key)
            .max_by_key(|(_, _, path)| path.len())
            .or_else(|| exact.iter().max_by_key(|(_, _, path)| path.len()));
        if let Some((_, _, path)) = pick {
            return Some(path);
        }
        self.by_position
            .iter()
            .take_while(|(p, _, _)| *p <= position)
            .last()
            .map(|(_, _, path)| path.as_str())
    }
}

fn join_key(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

/// The path of the next node in the innermost collection, advancing it.
fn next_path(stack: &mut [Frame]) -> Option<String> {
    match stack.last_mut() {
        None => Some(String::new()),
        Some(Frame::Map { key, .. }) => key.take(),
        Some(Frame::Seq { path, next }) => {
            let p = format!("{path}[{next}]");
            *next += 1;
            Some(p)
        }
        Some(Frame::Ignored) => None,
    }
}

fn remember(anchors: &mut BTreeMap<usize, String>, anchor: usize, path: &str) {
    if anchor != 0 {
        anchors.insert(anchor, path.to_owned());
    }
}

/// `a.b[2].c` -> `a.b[2]` -> `a.b` -> `a` -> `` -> none.
fn parent(path: &str) -> Option<&str> {
    if path.is_empty() {
        return None;
    }
    Some(path.rfind(['.', '[']).map_or("", |i| &path[..i]))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "\
top: 1
models:
  - id: a
    firmware: &fw
      - version: \"1.0\"
        role: minimum
  - id: b
    firmware: *fw
services:
  MakeCall: {since: \"1.0\", source: s}
";

    fn at(line: u32, column: u32) -> Position {
        Position { line, column }
    }

    #[test]
    fn keys_and_list_items_are_located() {
        let map = SourceMap::build(DOC);
        assert_eq!(map.locate("top"), Some(at(1, 1)));
        assert_eq!(map.locate("models[0].id"), Some(at(3, 5)));
        assert_eq!(map.locate("models[0].firmware[0]"), Some(at(5, 9)));
        assert_eq!(map.locate("models[0].firmware[0].role"), Some(at(6, 9)));
        assert_eq!(map.locate("services.MakeCall.since"), Some(at(10, 14)));
    }

    #[test]
    fn paths_through_an_alias_point_at_the_anchored_definition() {
        let map = SourceMap::build(DOC);
        assert_eq!(map.locate("models[1].firmware"), Some(at(8, 5)));
        assert_eq!(map.locate("models[1].firmware[0].version"), Some(at(5, 9)));
    }

    #[test]
    fn a_missing_path_falls_back_to_its_nearest_written_parent() {
        let map = SourceMap::build(DOC);
        assert_eq!(map.locate("services.MakeCall.nothing"), Some(at(10, 3)));
        assert_eq!(map.locate("services.HoldCall"), Some(at(9, 1)));
    }

    #[test]
    fn positions_map_back_to_paths() {
        let map = SourceMap::build(DOC);
        assert_eq!(
            map.path_at(at(6, 9), true),
            Some("models[0].firmware[0].role")
        );
        assert_eq!(map.path_at(at(5, 9), false), Some("models[0].firmware[0]"));
        assert_eq!(
            map.path_at(at(5, 18), false),
            Some("models[0].firmware[0].version")
        );
        assert_eq!(
            map.path_at(at(6, 30), false),
            Some("models[0].firmware[0].role")
        );
    }

    #[test]
    fn parents_walk_up_to_the_root() {
        assert_eq!(parent("a.b[2].c"), Some("a.b[2]"));
        assert_eq!(parent("a.b[2]"), Some("a.b"));
        assert_eq!(parent("a"), Some(""));
        assert_eq!(parent(""), None);
    }
}
