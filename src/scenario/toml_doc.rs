//! TOML events to a lean spanned document, block by block.
//!
//! This is `toml`'s own document builder (`toml::de::DeTable::parse_recoverable`: tables, arrays
//! of tables, dotted keys, and the same "duplicate key" and "cannot extend" errors), ported to a
//! smaller tree that holds each scalar as its span and kind (the reader decodes it from the text
//! when it reads it), fed by the streamed events of [`super::toml_events`]. An element of a
//! top-level array of tables (`[[vnet]]`) can no longer change once the next one starts, so it is
//! handed to the caller then and dropped from the tree: the whole document is never held.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::collections::VecDeque;
use std::collections::btree_map::Entry;
use std::ops::Range;
use std::sync::mpsc::Receiver;

use toml_parser::decoder::{Encoding, ScalarKind};
use toml_parser::parser::{Event, EventKind};
use toml_parser::{ErrorSink, ParseError, Raw, Span};

use super::toml_events::{RECURSION_LIMIT, SyntaxError, syntax_error};

/// A value and its span (byte offsets; files are far below 4 GiB).
#[derive(Debug)]
pub(crate) struct Val<'i> {
    start: u32,
    end: u32,
    pub(crate) v: V<'i>,
}

/// A value: scalars are kept as their kind, decoded from the text when read.
#[derive(Debug)]
pub(crate) enum V<'i> {
    /// A string of this encoding.
    Str(Option<Encoding>),
    /// An integer (decoded when read).
    Int,
    Float,
    Bool(bool),
    Datetime,
    Array(Box<Arr<'i>>),
    Table(Box<Table<'i>>),
    /// An array-of-tables element already handed to the caller.
    Taken,
}

#[derive(Debug, Default)]
pub(crate) struct Arr<'i> {
    pub(crate) items: Vec<Val<'i>>,
    aot: bool,
}

/// A key's span and its value.
#[derive(Debug)]
pub(crate) struct Slot<'i> {
    kstart: u32,
    kend: u32,
    pub(crate) val: Val<'i>,
}

impl Slot<'_> {
    pub(crate) fn key_span(&self) -> Range<usize> {
        self.kstart as usize..self.kend as usize
    }
}

#[derive(Debug, Default)]
pub(crate) struct Table<'i> {
    pub(crate) map: BTreeMap<Cow<'i, str>, Slot<'i>>,
    implicit: bool,
    dotted: bool,
    inline: bool,
}

fn span32(s: Span) -> (u32, u32) {
    (s.start() as u32, s.end() as u32)
}

impl<'i> Val<'i> {
    fn new(span: Range<usize>, v: V<'i>) -> Self {
        Val { start: span.start as u32, end: span.end as u32, v }
    }

    pub(crate) fn span(&self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    fn tspan(&self) -> Span {
        Span::new_unchecked(self.start as usize, self.end as usize)
    }

    pub(crate) fn type_str(&self) -> &'static str {
        match self.v {
            V::Str(_) => "string",
            V::Int => "integer",
            V::Float => "float",
            V::Bool(_) => "boolean",
            V::Datetime => "datetime",
            V::Array(_) => "array",
            V::Table(_) | V::Taken => "table",
        }
    }

    fn as_table_mut(&mut self) -> Option<&mut Table<'i>> {
        match &mut self.v {
            V::Table(t) => Some(t),
            _ => None,
        }
    }

    /// The string this scalar holds, decoded from `text` (its errors were reported when read).
    pub(crate) fn decode<'t>(&self, text: &'t str) -> Option<Cow<'t, str>> {
        let enc = match self.v {
            V::Str(enc) => enc,
            V::Int => None,
            _ => return None,
        };
        let span = self.span();
        let raw = Raw::new_unchecked(&text[span.clone()], enc, Span::new_unchecked(span.start, span.end));
        let mut out = Cow::Borrowed("");
        let _ = raw.decode_scalar(&mut out, &mut ());
        Some(out)
    }

    /// The integer this scalar holds, as `toml` gives its digits and radix.
    pub(crate) fn int(&self, text: &str) -> Option<i128> {
        if !matches!(self.v, V::Int) {
            return None;
        }
        let span = self.span();
        let raw = Raw::new_unchecked(&text[span.clone()], None, Span::new_unchecked(span.start, span.end));
        let mut out = Cow::Borrowed("");
        let ScalarKind::Integer(radix) = raw.decode_scalar(&mut out, &mut ()) else { return None };
        let digits: String = out.chars().filter(|c| *c != '_').collect();
        i128::from_str_radix(&digits, radix.value()).ok()
    }
}

/// The stream of events, with the look-ahead `toml`'s builder uses.
pub(crate) struct Input {
    rx: Receiver<Vec<Event>>,
    buf: VecDeque<Event>,
    done: bool,
}

impl Input {
    pub(crate) fn new(rx: Receiver<Vec<Event>>) -> Self {
        Input { rx, buf: VecDeque::new(), done: false }
    }

    fn fill(&mut self, n: usize) -> bool {
        while self.buf.len() <= n && !self.done {
            match self.rx.recv() {
                Ok(v) => self.buf.extend(v),
                Err(_) => self.done = true,
            }
        }
        self.buf.len() > n
    }

    fn get(&mut self, n: usize) -> Option<Event> {
        if self.fill(n) { Some(self.buf[n]) } else { None }
    }

    fn next_token(&mut self) -> Option<Event> {
        self.fill(0);
        self.buf.pop_front()
    }

    /// Read the rest of the stream (so its producer can finish).
    pub(crate) fn drain(&mut self) {
        self.buf.clear();
        while !self.done {
            if self.rx.recv().is_err() {
                self.done = true;
            }
        }
    }
}

/// Errors found while building, in `toml`'s words.
struct Errors(Vec<SyntaxError>);

impl ErrorSink for Errors {
    fn report_error(&mut self, error: ParseError) {
        self.0.push(syntax_error(&error, 0));
    }
}

type Key<'i> = (Cow<'i, str>, Span);

/// A handed-off element: the top-level key (`vnet`) and the element (`[[vnet]]`'s table).
pub(crate) type Handoff<'h, 'i> = &'h mut dyn FnMut(&str, Val<'i>);

/// Build the document from `input`. Elements of top-level arrays of tables go to `handoff` as
/// soon as the next element starts; the rest stays in the returned root.
pub(crate) fn document<'i>(
    input: &mut Input,
    text: &'i str,
    handoff: Handoff<'_, 'i>,
) -> (Table<'i>, Vec<SyntaxError>) {
    let mut errors = Errors(Vec::new());
    let mut state = State { root: Table::default(), current_table: Table::default(), current_header: None, handoff };
    while let Some(event) = input.next_token() {
        match event.kind() {
            EventKind::StdTableOpen | EventKind::ArrayTableOpen => {
                state.finish_table(&mut errors);
                let header = on_table(event, input, text, &mut errors);
                state.start_table(header, &mut errors);
            }
            EventKind::SimpleKey => {
                let (path, key) = on_key(event, input, text, &mut errors);
                let Some(key) = key else { break };
                let Some(next_event) = input.next_token() else { break };
                let keyval_event = if next_event.kind() == EventKind::Whitespace {
                    let Some(next_event) = input.next_token() else { break };
                    next_event
                } else {
                    next_event
                };
                if keyval_event.kind() != EventKind::KeyValSep {
                    break;
                }
                if input.get(0).is_some_and(|e| e.kind() == EventKind::Whitespace) {
                    let _ = input.next_token();
                }
                let value = value(input, text, &mut errors);
                state.capture_key_value(path, key, value, &mut errors);
            }
            _ => {}
        }
    }
    state.finish_table(&mut errors);
    input.drain();
    (state.root, errors.0)
}

struct TableHeader<'i> {
    path: Vec<Key<'i>>,
    key: Option<Key<'i>>,
    span: Span,
    is_array: bool,
}

fn on_table<'i>(open: Event, input: &mut Input, text: &'i str, errors: &mut dyn ErrorSink) -> TableHeader<'i> {
    let is_array = open.kind() == EventKind::ArrayTableOpen;
    let mut current_path = None;
    let mut current_key = None;
    let mut current_span = open.span();
    while let Some(event) = input.next_token() {
        match event.kind() {
            EventKind::ArrayTableClose | EventKind::StdTableClose => {
                current_span = current_span.append(event.span());
                break;
            }
            EventKind::SimpleKey => {
                let (path, key) = on_key(event, input, text, errors);
                current_path = Some(path);
                current_key = key;
            }
            _ => {}
        }
    }
    TableHeader { path: current_path.unwrap_or_default(), key: current_key, span: current_span, is_array }
}

fn more_key(input: &mut Input) -> bool {
    let first = input.get(0).map(|e| e.kind());
    let second = input.get(1).map(|e| e.kind());
    first == Some(EventKind::KeySep) || (first == Some(EventKind::Whitespace) && second == Some(EventKind::KeySep))
}

fn decode_key<'i>(event: Event, text: &'i str, errors: &mut dyn ErrorSink) -> Key<'i> {
    let span = event.span();
    let raw = Raw::new_unchecked(&text[span.start()..span.end()], event.encoding(), span);
    let mut decoded = Cow::Borrowed("");
    raw.decode_key(&mut decoded, errors);
    (decoded, span)
}

/// `key::on_key`.
fn on_key<'i>(
    first: Event,
    input: &mut Input,
    text: &'i str,
    errors: &mut dyn ErrorSink,
) -> (Vec<Key<'i>>, Option<Key<'i>>) {
    let mut path = Vec::new();
    let mut key: Option<Key<'i>> = None;
    let mut current = Some(first);
    let mut close = |current: &mut Option<Event>, path: &mut Vec<Key<'i>>, key: &mut Option<Key<'i>>| {
        if let Some(ev) = current.take() {
            let k = decode_key(ev, text, errors);
            if let Some(last) = key.replace(k) {
                path.push(last);
            }
        }
    };
    if more_key(input) {
        while let Some(event) = input.next_token() {
            match event.kind() {
                EventKind::SimpleKey => {
                    current = Some(event);
                    if !more_key(input) {
                        break;
                    }
                }
                EventKind::KeySep => close(&mut current, &mut path, &mut key),
                _ => {}
            }
        }
    }
    close(&mut current, &mut path, &mut key);
    if RECURSION_LIMIT as usize <= path.len() {
        errors.report_error(ParseError::new("recursion limit"));
        return (Vec::new(), None);
    }
    (path, key)
}

/// `value::value`.
fn value<'i>(input: &mut Input, text: &'i str, errors: &mut dyn ErrorSink) -> Val<'i> {
    if let Some(event) = input.next_token() {
        match event.kind() {
            EventKind::InlineTableOpen => return on_inline_table(event, input, text, errors),
            EventKind::ArrayOpen => return on_array(event, input, text, errors),
            EventKind::Scalar => return on_scalar(event, text, errors),
            _ => {}
        }
    }
    Val::new(0..0, V::Int)
}

/// `value::on_scalar`: decode (reporting errors), keep the kind.
fn on_scalar<'i>(event: Event, text: &str, errors: &mut dyn ErrorSink) -> Val<'i> {
    let span = event.span();
    let raw = Raw::new_unchecked(&text[span.start()..span.end()], event.encoding(), span);
    let mut decoded = Cow::Borrowed("");
    let kind = raw.decode_scalar(&mut decoded, errors);
    let v = match kind {
        ScalarKind::String => V::Str(event.encoding()),
        ScalarKind::Boolean(b) => V::Bool(b),
        ScalarKind::DateTime => {
            if let Err(err) = decoded.parse::<toml_datetime::Datetime>() {
                errors.report_error(ParseError::new(err.to_string()).with_unexpected(span));
            }
            V::Datetime
        }
        ScalarKind::Float => V::Float,
        ScalarKind::Integer(_) => V::Int,
    };
    Val::new(span.start()..span.end(), v)
}

/// `array::on_array`.
fn on_array<'i>(open: Event, input: &mut Input, text: &'i str, errors: &mut dyn ErrorSink) -> Val<'i> {
    let mut items = Vec::new();
    let mut current: Option<Val<'i>> = None;
    let mut close_span = open.span();
    while let Some(event) = input.next_token() {
        close_span = event.span();
        match event.kind() {
            EventKind::StdTableOpen
            | EventKind::ArrayTableOpen
            | EventKind::InlineTableClose
            | EventKind::SimpleKey
            | EventKind::KeySep
            | EventKind::KeyValSep
            | EventKind::StdTableClose
            | EventKind::ArrayTableClose => break,
            EventKind::InlineTableOpen => current = Some(on_inline_table(event, input, text, errors)),
            EventKind::ArrayOpen => current = Some(on_array(event, input, text, errors)),
            EventKind::Scalar => current = Some(on_scalar(event, text, errors)),
            EventKind::ValueSep => items.extend(current.take()),
            EventKind::ArrayClose => {
                items.extend(current.take());
                break;
            }
            _ => {}
        }
    }
    items.shrink_to_fit();
    Val::new(open.span().start()..close_span.end(), V::Array(Box::new(Arr { items, aot: false })))
}

/// `inline_table::on_inline_table`.
fn on_inline_table<'i>(open: Event, input: &mut Input, text: &'i str, errors: &mut dyn ErrorSink) -> Val<'i> {
    let mut result = Table { inline: true, ..Table::default() };
    let mut close_span = open.span();
    let mut current_key = None;
    let mut current_value = None;
    while let Some(event) = input.next_token() {
        close_span = event.span();
        match event.kind() {
            EventKind::StdTableOpen
            | EventKind::ArrayTableOpen
            | EventKind::StdTableClose
            | EventKind::ArrayClose
            | EventKind::ArrayTableClose
            | EventKind::KeySep => break,
            EventKind::SimpleKey => {
                let (path, key) = on_key(event, input, text, errors);
                if let Some(key) = key {
                    current_key = Some((path, key));
                }
            }
            EventKind::InlineTableOpen => current_value = Some(on_inline_table(event, input, text, errors)),
            EventKind::ArrayOpen => current_value = Some(on_array(event, input, text, errors)),
            EventKind::Scalar => current_value = Some(on_scalar(event, text, errors)),
            EventKind::ValueSep => inline_finish_value(&mut current_key, &mut current_value, &mut result, errors),
            EventKind::InlineTableClose => {
                inline_finish_value(&mut current_key, &mut current_value, &mut result, errors);
                break;
            }
            _ => {}
        }
    }
    Val::new(open.span().start()..close_span.end(), V::Table(Box::new(result)))
}

fn inline_finish_value<'i>(
    current_key: &mut Option<(Vec<Key<'i>>, Key<'i>)>,
    current_value: &mut Option<Val<'i>>,
    result: &mut Table<'i>,
    errors: &mut dyn ErrorSink,
) {
    let (Some((path, key)), Some(value)) = (current_key.take(), current_value.take()) else { return };
    let Some(table) = inline_descend_path(result, &path, true, errors) else { return };
    let mixed_table_types = table.dotted == path.is_empty();
    if mixed_table_types {
        errors.report_error(ParseError::new("duplicate key").with_unexpected(key.1));
        return;
    }
    match table.map.entry(key.0) {
        Entry::Vacant(o) => {
            o.insert(Slot { kstart: key.1.start() as u32, kend: key.1.end() as u32, val: value });
        }
        Entry::Occupied(o) => {
            let old = o.get();
            let old_span = Span::new_unchecked(old.kstart as usize, old.kend as usize);
            errors.report_error(ParseError::new("duplicate key").with_unexpected(key.1).with_context(old_span));
        }
    }
}

fn inline_descend_path<'a, 'i>(
    mut table: &'a mut Table<'i>,
    path: &[Key<'i>],
    dotted: bool,
    errors: &mut dyn ErrorSink,
) -> Option<&'a mut Table<'i>> {
    for key in path {
        let slot = match table.map.entry(key.0.clone()) {
            Entry::Vacant(entry) => {
                let t = Table { implicit: true, dotted, inline: true, ..Table::default() };
                let (s, e) = span32(key.1);
                entry.insert(Slot {
                    kstart: s,
                    kend: e,
                    val: Val::new(key.1.start()..key.1.end(), V::Table(Box::new(t))),
                })
            }
            Entry::Occupied(entry) => entry.into_mut(),
        };
        let old_span = slot.val.tspan();
        let type_str = slot.val.type_str();
        match &mut slot.val.v {
            V::Table(child) => {
                if dotted && !child.implicit {
                    errors.report_error(ParseError::new("duplicate key").with_unexpected(key.1));
                    return None;
                }
                table = child;
            }
            _ => {
                errors.report_error(
                    ParseError::new(format!("cannot extend value of type {type_str} with a dotted key"))
                        .with_unexpected(key.1)
                        .with_context(old_span),
                );
                return None;
            }
        }
    }
    Some(table)
}

/// `document::State`, with the hand-off of finished top-level array elements.
struct State<'h, 'i> {
    root: Table<'i>,
    current_table: Table<'i>,
    current_header: Option<TableHeader<'i>>,
    handoff: Handoff<'h, 'i>,
}

impl<'i> State<'_, 'i> {
    fn capture_key_value(&mut self, path: Vec<Key<'i>>, key: Key<'i>, value: Val<'i>, errors: &mut dyn ErrorSink) {
        let dotted = !path.is_empty();
        let Some(parent_table) = descend_path(&mut self.current_table, &path, dotted, errors) else { return };
        if dotted && !parent_table.implicit {
            errors.report_error(ParseError::new("duplicate key").with_unexpected(key.1));
            return;
        }
        match parent_table.map.entry(key.0) {
            Entry::Vacant(o) => {
                let (s, e) = span32(key.1);
                o.insert(Slot { kstart: s, kend: e, val: value });
            }
            Entry::Occupied(existing) => {
                let old = existing.get();
                let old_span = Span::new_unchecked(old.kstart as usize, old.kend as usize);
                errors.report_error(ParseError::new("duplicate key").with_unexpected(key.1).with_context(old_span));
            }
        }
    }

    fn finish_table(&mut self, errors: &mut dyn ErrorSink) {
        let prev_table = std::mem::take(&mut self.current_table);
        let Some(header) = self.current_header.take() else {
            self.root = prev_table;
            return;
        };
        let Some(key) = header.key else { return };
        let header_span = header.span.start()..header.span.end();
        let prev_table = Val::new(header_span.clone(), V::Table(Box::new(prev_table)));
        let top = header.path.is_empty();
        let Some(parent_table) = descend_path(&mut self.root, &header.path, false, errors) else { return };
        if header.is_array {
            let (ks, ke) = span32(key.1);
            let name = key.0.clone();
            let slot = parent_table.map.entry(key.0).or_insert_with(|| Slot {
                kstart: ks,
                kend: ke,
                val: Val::new(header_span, V::Array(Box::new(Arr { items: Vec::new(), aot: true }))),
            });
            let old_span = slot.val.tspan();
            let V::Array(array) = &mut slot.val.v else {
                errors.report_error(ParseError::new("duplicate key").with_unexpected(key.1).with_context(old_span));
                return;
            };
            if !array.aot {
                errors.report_error(ParseError::new("duplicate key").with_unexpected(key.1).with_context(old_span));
                return;
            }
            // The element before this one can no longer change: hand it off.
            if top && let Some(last) = array.items.last_mut() {
                let span = last.span();
                let done = std::mem::replace(last, Val::new(span, V::Taken));
                (self.handoff)(&name, done);
            }
            array.items.push(prev_table);
        } else {
            let existing = parent_table
                .map
                .insert(key.0, Slot { kstart: key.1.start() as u32, kend: key.1.end() as u32, val: prev_table });
            debug_assert!(existing.is_none());
        }
    }

    fn start_table(&mut self, header: TableHeader<'i>, errors: &mut dyn ErrorSink) {
        if !header.is_array
            && let (Some(parent_table), Some(key)) =
                (descend_path(&mut self.root, &header.path, false, errors), &header.key)
            && let Some((old_key, old)) = parent_table.map.remove_entry(&key.0)
        {
            let _ = old_key;
            match old.val.v {
                V::Table(t) if t.implicit && !t.dotted => self.current_table = *t,
                old_value => {
                    let old_span = Span::new_unchecked(old.kstart as usize, old.kend as usize);
                    errors.report_error(ParseError::new("duplicate key").with_unexpected(key.1).with_context(old_span));
                    if let V::Table(t) = old_value {
                        self.current_table = *t;
                    }
                }
            }
        }
        self.current_table.implicit = false;
        self.current_table.dotted = false;
        self.current_header = Some(header);
    }
}

/// `document::descend_path`.
fn descend_path<'a, 'i>(
    mut table: &'a mut Table<'i>,
    path: &[Key<'i>],
    dotted: bool,
    errors: &mut dyn ErrorSink,
) -> Option<&'a mut Table<'i>> {
    for key in path {
        let slot = match table.map.entry(key.0.clone()) {
            Entry::Vacant(entry) => {
                let t = Table { implicit: true, dotted, ..Table::default() };
                let (s, e) = span32(key.1);
                entry.insert(Slot {
                    kstart: s,
                    kend: e,
                    val: Val::new(key.1.start()..key.1.end(), V::Table(Box::new(t))),
                })
            }
            Entry::Occupied(entry) => entry.into_mut(),
        };
        let old_span = slot.val.tspan();
        table = match &mut slot.val.v {
            V::Array(array) => {
                if !array.aot {
                    errors.report_error(
                        ParseError::new("cannot extend value of type array with a dotted key")
                            .with_unexpected(key.1)
                            .with_context(old_span),
                    );
                    return None;
                }
                let last = array.items.last_mut().expect("an array of tables has an element");
                let type_str = last.type_str();
                let last_span = old_span;
                match last.as_table_mut() {
                    Some(t) => t,
                    None => {
                        errors.report_error(
                            ParseError::new(format!("cannot extend value of type {type_str} with a dotted key"))
                                .with_unexpected(key.1)
                                .with_context(last_span),
                        );
                        return None;
                    }
                }
            }
            V::Table(child) => {
                if child.inline {
                    errors.report_error(
                        ParseError::new("cannot extend value of type inline table with a dotted key")
                            .with_unexpected(key.1),
                    );
                    return None;
                }
                if dotted && child.implicit {
                    child.dotted = true;
                }
                if dotted && !child.implicit {
                    errors.report_error(ParseError::new("duplicate key").with_unexpected(key.1));
                    return None;
                }
                child
            }
            other => {
                let type_str = match other {
                    V::Str(_) => "string",
                    V::Int => "integer",
                    V::Float => "float",
                    V::Bool(_) => "boolean",
                    V::Datetime => "datetime",
                    _ => "table",
                };
                errors.report_error(
                    ParseError::new(format!("cannot extend value of type {type_str} with a dotted key"))
                        .with_unexpected(key.1)
                        .with_context(old_span),
                );
                return None;
            }
        };
    }
    Some(table)
}

/// Parse `text` (streamed on a second thread) into its root table, handing off each finished
/// top-level array-of-tables element. Returns the root and every TOML error (parser, decoding and
/// document errors together, as `toml` reports them).
pub(crate) fn parse<'i>(text: &'i str, handoff: Handoff<'_, 'i>) -> (Table<'i>, Vec<SyntaxError>) {
    let (tx, rx) = std::sync::mpsc::sync_channel(4);
    std::thread::scope(|s| {
        let producer = s.spawn(move || super::toml_events::produce(text, tx));
        let mut input = Input::new(rx);
        let (root, mut errors) = document(&mut input, text, handoff);
        let mut parse_errors = match producer.join() {
            Ok(e) => e,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        parse_errors.append(&mut errors);
        (root, parse_errors)
    })
}

impl<'i> Table<'i> {
    pub(crate) fn get(&self, key: &str) -> Option<&Val<'i>> {
        self.map.get(key).map(|s| &s.val)
    }
}
