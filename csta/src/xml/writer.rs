//! Deterministic XML output: no indentation, elements in the order they are written, the five
//! XML special characters and the characters attribute-value normalisation would change escaped.

/// An XML document under construction.
pub(crate) struct Writer {
    buf: String,
    root_namespace: Option<&'static str>,
}

impl Writer {
    pub(crate) fn new() -> Self {
        Writer {
            buf: String::with_capacity(512),
            root_namespace: None,
        }
    }

    pub(crate) fn finish(self) -> String {
        self.buf
    }

    pub(crate) fn declaration(&mut self) {
        self.buf
            .push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    }

    /// The next element written is the root and declares `namespace` as its default namespace.
    pub(crate) fn root_namespace(&mut self, namespace: &'static str) {
        self.root_namespace = Some(namespace);
    }

    /// Write `<name>`; returns a mark for [`Writer::close`].
    pub(crate) fn open(&mut self, name: &str) -> usize {
        self.start(name);
        self.end_start()
    }

    /// Begin `<name` so that attributes can follow.
    pub(crate) fn start(&mut self, name: &str) {
        self.buf.push('<');
        self.buf.push_str(name);
        if let Some(ns) = self.root_namespace.take() {
            self.attribute("xmlns", ns);
        }
    }

    pub(crate) fn attribute(&mut self, key: &str, value: &str) {
        self.buf.push(' ');
        self.buf.push_str(key);
        self.buf.push_str("=\"");
        escape_into(&mut self.buf, value, true);
        self.buf.push('"');
    }

    /// End a start tag begun with [`Writer::start`]; returns a mark for [`Writer::close`].
    pub(crate) fn end_start(&mut self) -> usize {
        self.buf.push('>');
        self.buf.len()
    }

    /// Close `name`; an element with nothing written since `mark` becomes `<name/>`.
    pub(crate) fn close(&mut self, name: &str, mark: usize) {
        if self.buf.len() == mark {
            self.buf.pop();
            self.buf.push_str("/>");
        } else {
            self.buf.push_str("</");
            self.buf.push_str(name);
            self.buf.push('>');
        }
    }

    pub(crate) fn text(&mut self, text: &str) {
        escape_into(&mut self.buf, text, false);
    }

    pub(crate) fn text_element(&mut self, name: &str, text: &str) {
        let mark = self.open(name);
        self.text(text);
        self.close(name, mark);
    }

    /// An element with no content.
    pub(crate) fn empty(&mut self, name: &str) {
        self.start(name);
        self.buf.push_str("/>");
    }

    /// Verbatim XML.
    pub(crate) fn raw(&mut self, xml: &str) {
        self.buf.push_str(xml);
    }
}

fn needs_escape(b: u8, attribute: bool) -> bool {
    matches!(b, b'&' | b'<' | b'>' | b'"' | b'\'' | b'\r')
        || (attribute && matches!(b, b'\n' | b'\t'))
}

fn escape_into(out: &mut String, text: &str, attribute: bool) {
    if !text.bytes().any(|b| needs_escape(b, attribute)) {
        out.push_str(text);
        return;
    }
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\t' if attribute => out.push_str("&#9;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_characters() {
        let mut w = Writer::new();
        w.text_element("a", "x<y & \"z\"");
        assert_eq!(w.finish(), "<a>x&lt;y &amp; &quot;z&quot;</a>");
    }

    #[test]
    fn empty_element_is_self_closed() {
        let mut w = Writer::new();
        let mark = w.open("a");
        w.close("a", mark);
        assert_eq!(w.finish(), "<a/>");
    }
}
