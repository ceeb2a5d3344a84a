//! TOML text to `toml_parser` events, streamed: the lexer runs over the text token by token and no
//! token list of the whole file is ever built.
//!
//! A file is read in two passes of a small parser that accepts the common shape of TOML (headers,
//! `key = value` lines, arrays and inline tables of scalars) and emits exactly the events
//! `toml_parser::parser::parse_document` would. The first pass only checks; the second emits.
//! From the first header line that holds anything the small parser does not accept (a syntax
//! error, or TOML it leaves to the real parser), the rest of the file goes to `toml_parser`'s own
//! parser, whose tokens are then held for that rest only. Events from both paths go through the
//! receivers `toml` itself uses (whitespace validation, the recursion guard), so every error is the
//! one `toml` reports.

use std::collections::VecDeque;
use std::sync::mpsc::SyncSender;

use toml_parser::lexer::{Lexer, Token, TokenKind};
use toml_parser::parser::{Event, EventReceiver, RecursionGuard, ValidateWhitespace};
use toml_parser::{ErrorSink, ParseError, Source, Span};

/// `toml`'s nesting limit (arrays and inline tables), kept so errors match.
pub(super) const RECURSION_LIMIT: u32 = 80;
/// Deeper than this, the small parser leaves the text to `toml_parser` (below the guard's limit).
const SIMPLE_DEPTH: u32 = 64;
/// Events are sent in batches of this many.
const BATCH: usize = 4096;

/// A parse error with its span already in file offsets.
pub(super) struct SyntaxError {
    pub(super) message: String,
    pub(super) span: Option<std::ops::Range<usize>>,
}

/// Render a `toml_parser` error as `toml` does (`toml::de::Error::message`).
pub(super) fn syntax_error(e: &ParseError, offset: usize) -> SyntaxError {
    let mut message = e.description().to_string();
    if let Some(expected) = e.expected() {
        message.push_str(", expected ");
        if expected.is_empty() {
            message.push_str("nothing");
        } else {
            for (i, x) in expected.iter().enumerate() {
                if i != 0 {
                    message.push_str(", ");
                }
                match x {
                    toml_parser::Expected::Literal(lit) => message.push_str(&render_literal(lit)),
                    toml_parser::Expected::Description(desc) => message.push_str(desc),
                    _ => message.push_str("etc"),
                }
            }
        }
    }
    let span = e.unexpected().map(|s| s.start() + offset..s.end() + offset);
    SyntaxError { message, span }
}

fn render_literal(literal: &str) -> String {
    match literal {
        "\n" => "newline".to_owned(),
        "`" => "'`'".to_owned(),
        s if s.chars().all(|c| c.is_ascii_control()) => format!("`{}`", s.escape_debug()),
        s => format!("`{s}`"),
    }
}

/// Collects errors, moving spans by the offset of the text being parsed.
struct Sink {
    offset: usize,
    errors: Vec<SyntaxError>,
}

impl ErrorSink for Sink {
    fn report_error(&mut self, error: ParseError) {
        self.errors.push(syntax_error(&error, self.offset));
    }
}

/// Sends events in batches, moving spans by the offset of the text being parsed.
struct Sender<'a> {
    tx: &'a SyncSender<Vec<Event>>,
    batch: Vec<Event>,
    offset: usize,
    /// The reader stopped listening (it had what it needed): parse on for errors, send nothing.
    closed: bool,
}

impl Sender<'_> {
    fn push(&mut self, e: Event) {
        if self.closed {
            return;
        }
        let s = e.span();
        let span = Span::new_unchecked(s.start() + self.offset, s.end() + self.offset);
        self.batch.push(Event::new_unchecked(e.kind(), e.encoding(), span));
        if self.batch.len() >= BATCH {
            self.flush();
        }
    }

    fn flush(&mut self) {
        if !self.batch.is_empty() && !self.closed {
            let b = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
            self.closed = self.tx.send(b).is_err();
        }
    }
}

/// Parse `text`, sending its events to `tx`; returns the parser's errors (the reader adds its own).
pub(super) fn produce(text: &str, tx: SyncSender<Vec<Event>>) -> Vec<SyntaxError> {
    let mut sink = Sink { offset: 0, errors: Vec::new() };
    let mut sender = Sender { tx: &tx, batch: Vec::with_capacity(BATCH), offset: 0, closed: false };
    // First pass: how far the small parser accepts the text (to the start of a header line).
    let accepted = Simple::new(text, false).run(None, &mut Discard, &mut ());
    {
        let mut emit = |e: Event| sender.push(e);
        let source = Source::new(text);
        let mut ws = ValidateWhitespace::new(&mut emit, source);
        let mut guard = RecursionGuard::new(&mut ws, RECURSION_LIMIT);
        let stop = accepted.err();
        let done = Simple::new(text, true).run(stop, &mut guard, &mut sink);
        debug_assert!(stop.is_some() || done.is_ok());
    }
    if let Err(from) = accepted {
        // The rest goes to `toml_parser`, exactly as `toml` would parse it: the small parser
        // stopped at a line where `parse_document`'s loop starts an expression afresh.
        let rest = &text[from..];
        let source = Source::new(rest);
        let tokens = source.lex().into_vec();
        sink.offset = from;
        sender.offset = from;
        let mut emit = |e: Event| sender.push(e);
        let mut ws = ValidateWhitespace::new(&mut emit, source);
        let mut guard = RecursionGuard::new(&mut ws, RECURSION_LIMIT);
        toml_parser::parser::parse_document(&tokens, &mut guard, &mut sink);
    }
    sender.flush();
    sink.errors
}

/// Receives nothing (the checking pass).
struct Discard;

impl EventReceiver for Discard {}

/// Not accepted by the small parser (the caller falls back to `toml_parser`).
struct Refused;

type Res = Result<(), Refused>;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Next {
    Key,
    Equals,
    Value,
    Comma,
}

/// The small streaming parser. It mirrors `toml_parser::parser`'s functions on their paths
/// without errors, emitting the same events in the same order; anything else is [`Refused`].
struct Simple<'i> {
    lexer: Lexer<'i>,
    ahead: VecDeque<Token>,
    /// Emit events (second pass) or only check (first pass).
    emit: bool,
    depth: u32,
}

impl<'i> Simple<'i> {
    fn new(text: &'i str, emit: bool) -> Self {
        Simple { lexer: Source::new(text).lex(), ahead: VecDeque::new(), emit, depth: 0 }
    }

    fn peek(&mut self, n: usize) -> Option<Token> {
        while self.ahead.len() <= n {
            self.ahead.push_back(self.lexer.next()?);
        }
        Some(self.ahead[n])
    }

    fn peek_kind(&mut self, n: usize) -> Option<TokenKind> {
        self.peek(n).map(|t| t.kind())
    }

    fn next(&mut self) -> Option<Token> {
        self.ahead.pop_front().or_else(|| self.lexer.next())
    }

    /// Parse to the end, or (emitting) up to `stop`. `Err(offset)`: the start of the header line
    /// from which the text is not accepted.
    fn run(&mut self, stop: Option<usize>, r: &mut dyn EventReceiver, e: &mut dyn ErrorSink) -> Result<(), usize> {
        // The start of the current header line (or of the file): where a fallback begins.
        let mut line_start = 0;
        if stop == Some(0) {
            return Ok(());
        }
        loop {
            let Some(t) = self.peek(0) else { return Ok(()) };
            let header_line = match t.kind() {
                TokenKind::LeftSquareBracket => Some(t.span().start()),
                TokenKind::Whitespace if self.peek_kind(1) == Some(TokenKind::LeftSquareBracket) => {
                    Some(t.span().start())
                }
                _ => None,
            };
            if let Some(at) = header_line {
                if stop == Some(at) {
                    return Ok(());
                }
                line_start = at;
            }
            if self.expression(r, e).is_err() {
                return Err(line_start);
            }
        }
    }

    /// One step of `document`'s loop.
    fn expression(&mut self, r: &mut dyn EventReceiver, e: &mut dyn ErrorSink) -> Res {
        let t = self.next().ok_or(Refused)?;
        match t.kind() {
            TokenKind::LeftSquareBracket => self.table(t, r, e),
            TokenKind::LiteralString | TokenKind::BasicString | TokenKind::Atom => self.keyval(t, r, e),
            TokenKind::Whitespace => {
                self.ws(t, r, e);
                Ok(())
            }
            TokenKind::Newline => {
                self.nl(t, r, e);
                Ok(())
            }
            TokenKind::Comment => self.comment(t, r, e),
            TokenKind::Eof => Ok(()),
            _ => Err(Refused),
        }
    }

    fn ws(&self, t: Token, r: &mut dyn EventReceiver, e: &mut dyn ErrorSink) {
        if self.emit {
            r.whitespace(t.span(), e);
        }
    }

    fn nl(&self, t: Token, r: &mut dyn EventReceiver, e: &mut dyn ErrorSink) {
        if self.emit {
            r.newline(t.span(), e);
        }
    }

    fn opt_ws(&mut self, r: &mut dyn EventReceiver, e: &mut dyn ErrorSink) {
        if self.peek_kind(0) == Some(TokenKind::Whitespace) {
            let t = self.next().expect("peeked");
            self.ws(t, r, e);
        }
    }

    /// `on_comment`: the comment and its newline (or the end).
    fn comment(&mut self, t: Token, r: &mut dyn EventReceiver, e: &mut dyn ErrorSink) -> Res {
        if self.emit {
            r.comment(t.span(), e);
        }
        match self.peek_kind(0) {
            None => Ok(()),
            Some(TokenKind::Eof) => {
                self.next();
                Ok(())
            }
            Some(TokenKind::Newline) => {
                let t = self.next().expect("peeked");
                self.nl(t, r, e);
                Ok(())
            }
            Some(_) => Err(Refused),
        }
    }

    /// `ws_comment_newline` after a header or a key-value pair.
    fn eol(&mut self, r: &mut dyn EventReceiver, e: &mut dyn ErrorSink) -> Res {
        while let Some(t) = self.next() {
            match t.kind() {
                TokenKind::Whitespace => self.ws(t, r, e),
                TokenKind::Comment => return self.comment(t, r, e),
                TokenKind::Newline => {
                    self.nl(t, r, e);
                    return Ok(());
                }
                TokenKind::Eof => return Ok(()),
                _ => return Err(Refused),
            }
        }
        Ok(())
    }

    /// A key's first part was `t`: the key event, then `opt_dot_keys`.
    fn key_from(&mut self, t: Token, r: &mut dyn EventReceiver, e: &mut dyn ErrorSink) -> Res {
        let encoding = match t.kind() {
            TokenKind::LiteralString | TokenKind::BasicString | TokenKind::Atom => t.kind().encoding(),
            _ => return Err(Refused),
        };
        if self.emit {
            r.simple_key(t.span(), encoding, e);
        }
        self.opt_ws(r, e);
        while self.peek_kind(0) == Some(TokenKind::Dot) {
            let dot = self.next().expect("peeked");
            if self.emit {
                r.key_sep(dot.span(), e);
            }
            self.opt_ws(r, e);
            let part = self.next().ok_or(Refused)?;
            match part.kind() {
                TokenKind::LiteralString | TokenKind::BasicString | TokenKind::Atom => {
                    if self.emit {
                        r.simple_key(part.span(), part.kind().encoding(), e);
                    }
                }
                _ => return Err(Refused),
            }
            self.opt_ws(r, e);
        }
        Ok(())
    }

    /// `on_table`: `[key]` or `[[key]]`, then the end of the line.
    fn table(&mut self, open: Token, r: &mut dyn EventReceiver, e: &mut dyn ErrorSink) -> Res {
        let array = self.peek_kind(0) == Some(TokenKind::LeftSquareBracket);
        if array {
            let second = self.next().expect("peeked");
            if self.emit {
                r.array_table_open(open.span().append(second.span()), e);
            }
        } else if self.emit {
            r.std_table_open(open.span(), e);
        }
        self.opt_ws(r, e);
        let first = self.next().ok_or(Refused)?;
        self.key_from(first, r, e)?;
        self.opt_ws(r, e);
        let close = self.next().ok_or(Refused)?;
        if close.kind() != TokenKind::RightSquareBracket {
            return Err(Refused);
        }
        if array {
            let second = self.next().ok_or(Refused)?;
            if second.kind() != TokenKind::RightSquareBracket {
                return Err(Refused);
            }
            if self.emit {
                r.array_table_close(close.span().append(second.span()), e);
            }
        } else if self.emit {
            r.std_table_close(close.span(), e);
        }
        self.eol(r, e)
    }

    /// `on_expression_key`: `key = value`, then the end of the line.
    fn keyval(&mut self, key: Token, r: &mut dyn EventReceiver, e: &mut dyn ErrorSink) -> Res {
        self.key_from(key, r, e)?;
        self.opt_ws(r, e);
        let eq = self.next().ok_or(Refused)?;
        if eq.kind() != TokenKind::Equals {
            return Err(Refused);
        }
        if self.emit {
            r.key_val_sep(eq.span(), e);
        }
        self.opt_ws(r, e);
        let v = self.next().ok_or(Refused)?;
        self.value(v, r, e)?;
        self.eol(r, e)
    }

    /// `value`, its first token read.
    fn value(&mut self, t: Token, r: &mut dyn EventReceiver, e: &mut dyn ErrorSink) -> Res {
        match t.kind() {
            TokenKind::LeftCurlyBracket => self.inline_table(t, r, e),
            TokenKind::LeftSquareBracket => self.array(t, r, e),
            TokenKind::LiteralString
            | TokenKind::BasicString
            | TokenKind::MlLiteralString
            | TokenKind::MlBasicString
            | TokenKind::Dot
            | TokenKind::Atom => {
                self.scalar(t, r, e);
                Ok(())
            }
            _ => Err(Refused),
        }
    }

    /// `on_scalar`: a string, or an unquoted scalar joined from atoms and dots (and an atom
    /// after one space: a date-time's time).
    fn scalar(&mut self, t: Token, r: &mut dyn EventReceiver, e: &mut dyn ErrorSink) {
        let mut span = t.span();
        let encoding = t.kind().encoding();
        if matches!(t.kind(), TokenKind::Dot | TokenKind::Atom) {
            loop {
                match self.peek_kind(0) {
                    Some(TokenKind::Dot | TokenKind::Atom) => {
                        let n = self.next().expect("peeked");
                        span = span.append(n.span());
                    }
                    Some(TokenKind::Whitespace) if self.peek_kind(1) == Some(TokenKind::Atom) => {
                        self.next();
                        let n = self.next().expect("peeked");
                        span = span.append(n.span());
                    }
                    _ => break,
                }
            }
        }
        if self.emit {
            r.scalar(span, encoding, e);
        }
    }

    fn enter(&mut self) -> Res {
        self.depth += 1;
        if self.depth > SIMPLE_DEPTH { Err(Refused) } else { Ok(()) }
    }

    /// `on_array_open` on its paths without errors.
    fn array(&mut self, open: Token, r: &mut dyn EventReceiver, e: &mut dyn ErrorSink) -> Res {
        self.enter()?;
        if self.emit && !r.array_open(open.span(), e) {
            return Err(Refused);
        }
        let mut state = Next::Value;
        while let Some(t) = self.next() {
            match (t.kind(), state) {
                (TokenKind::Comment, _) => self.comment(t, r, e)?,
                (TokenKind::Whitespace, _) => self.ws(t, r, e),
                (TokenKind::Newline, _) => self.nl(t, r, e),
                (TokenKind::Comma, Next::Comma) => {
                    if self.emit {
                        r.value_sep(t.span(), e);
                    }
                    state = Next::Value;
                }
                (TokenKind::RightSquareBracket, _) => {
                    if self.emit {
                        r.array_close(t.span(), e);
                    }
                    self.depth -= 1;
                    return Ok(());
                }
                (
                    TokenKind::LeftCurlyBracket
                    | TokenKind::LeftSquareBracket
                    | TokenKind::LiteralString
                    | TokenKind::BasicString
                    | TokenKind::MlLiteralString
                    | TokenKind::MlBasicString
                    | TokenKind::Dot
                    | TokenKind::Atom,
                    Next::Value,
                ) => {
                    self.value(t, r, e)?;
                    state = Next::Comma;
                }
                _ => return Err(Refused),
            }
        }
        Err(Refused)
    }

    /// `on_inline_table_open` on its paths without errors.
    fn inline_table(&mut self, open: Token, r: &mut dyn EventReceiver, e: &mut dyn ErrorSink) -> Res {
        self.enter()?;
        if self.emit && !r.inline_table_open(open.span(), e) {
            return Err(Refused);
        }
        let mut state = Next::Key;
        while let Some(t) = self.next() {
            match (t.kind(), state) {
                (TokenKind::Comment, _) => self.comment(t, r, e)?,
                (TokenKind::Whitespace, _) => self.ws(t, r, e),
                (TokenKind::Newline, _) => self.nl(t, r, e),
                (TokenKind::Comma, Next::Comma) => {
                    if self.emit {
                        r.value_sep(t.span(), e);
                    }
                    state = Next::Key;
                }
                (TokenKind::Equals, Next::Equals) => {
                    if self.emit {
                        r.key_val_sep(t.span(), e);
                    }
                    state = Next::Value;
                }
                (TokenKind::RightCurlyBracket, Next::Key | Next::Comma) => {
                    if self.emit {
                        r.inline_table_close(t.span(), e);
                    }
                    self.depth -= 1;
                    return Ok(());
                }
                (TokenKind::LiteralString | TokenKind::BasicString | TokenKind::Atom, Next::Key) => {
                    self.key_from(t, r, e)?;
                    state = Next::Equals;
                }
                (
                    TokenKind::LeftCurlyBracket
                    | TokenKind::LeftSquareBracket
                    | TokenKind::LiteralString
                    | TokenKind::BasicString
                    | TokenKind::MlLiteralString
                    | TokenKind::MlBasicString
                    | TokenKind::Dot
                    | TokenKind::Atom,
                    Next::Value,
                ) => {
                    self.value(t, r, e)?;
                    state = Next::Comma;
                }
                _ => return Err(Refused),
            }
        }
        Err(Refused)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every event `toml_parser` emits for `text`.
    fn reference(text: &str) -> (Vec<Event>, usize) {
        let source = Source::new(text);
        let tokens = source.lex().into_vec();
        let mut events = Vec::new();
        let mut errors = Vec::new();
        let mut ws = ValidateWhitespace::new(&mut events, source);
        let mut guard = RecursionGuard::new(&mut ws, RECURSION_LIMIT);
        toml_parser::parser::parse_document(&tokens, &mut guard, &mut errors);
        (events, errors.len())
    }

    fn streamed(text: &str) -> (Vec<Event>, usize) {
        let (tx, rx) = std::sync::mpsc::sync_channel(1 << 20);
        let errors = produce(text, tx);
        (rx.into_iter().flatten().collect(), errors.len())
    }

    #[test]
    fn the_events_are_toml_parsers() {
        let mut texts: Vec<String> = Vec::new();
        for dir in ["scenarios", "tests/fixtures", "tests/fixtures/bad"] {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
            for f in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                if let Ok(t) = std::fs::read_to_string(f.path()) {
                    texts.push(t);
                }
            }
        }
        texts.extend(
            [
                "a = 1\n[[x]]\nb = [1, 2, # c\n 3,]\n  [[x.y]]\n  c = { d = 1, e.f = \"g\", }\n",
                "t = 1979-05-27 07:32:00Z\nf = 1.5e3\n[x] # c\n\"q\" . 'r' = -0x1F\n",
                "a = [\n  \"1\",\n  \"2\"\n]\n[b]\nc = \"\"\"\n[d]\n\"\"\"\n[e]\n",
                "a = 1\n[x]\nb = = 2\n[y]\nc = [1 2]\n",
                "[x]\n b = {\n c = 1,\n}\n\n  [[z]]\nq = 'x' # no newline",
                "\u{feff}a = 1\r\n[b]\r\n",
                "x = [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]",
            ]
            .map(String::from),
        );
        // Valid scenarios never leave the small parser (no token list is built for them).
        let synth = crate::synth::generate(&crate::synth::SynthParams::default());
        for t in texts.iter().chain([&synth]) {
            if reference(t).1 == 0 {
                assert!(Simple::new(t, false).run(None, &mut Discard, &mut ()).is_ok(), "{t}");
            }
        }
        for t in &texts {
            let (a, b) = (streamed(t), reference(t));
            assert!(a == b, "{t:?}: {} events and {} errors, not {} and {}", a.0.len(), a.1, b.0.len(), b.1);
        }
    }
}
