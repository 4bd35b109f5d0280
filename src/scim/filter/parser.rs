//! Recursive-descent parser for RFC 7644 §3.4.2.2 filters, with a length cap
//! and a nesting cap so hostile input fails cleanly instead of overflowing the
//! stack. Precedence: `not` binds tighter than `and`, which binds tighter than `or`.

use super::super::error::ScimError;
use super::super::path::AttrPath;
use super::{CompValue, CompareOp, Filter, MAX_FILTER_DEPTH, MAX_FILTER_LEN};

#[derive(Debug, Clone, PartialEq)]
enum Token<'a> {
    LParen,
    RParen,
    LBracket,
    RBracket,
    Word(&'a str),
    Str(String),
    End,
}

impl Token<'_> {
    fn describe(&self) -> String {
        match self {
            Token::LParen => "'('".into(),
            Token::RParen => "')'".into(),
            Token::LBracket => "'['".into(),
            Token::RBracket => "']'".into(),
            Token::Word(w) => format!("{w:?}"),
            Token::Str(s) => format!("string {:?}", s),
            Token::End => "end of filter".into(),
        }
    }
}

struct Parser<'a> {
    input: &'a str,
    pos: usize,
    peeked: Option<(usize, Token<'a>)>,
    depth: usize,
}

fn error_at(pos: usize, message: impl std::fmt::Display) -> ScimError {
    ScimError::invalid_filter(format!("invalid filter at position {pos}: {message}"))
}

/// Parses a whole filter (RFC 7644 §3.4.2.2 `FILTER`).
pub(super) fn parse(input: &str) -> Result<Filter, ScimError> {
    if input.len() > MAX_FILTER_LEN {
        return Err(ScimError::invalid_filter(format!(
            "filter too long: {} bytes, at most {MAX_FILTER_LEN}",
            input.len()
        )));
    }
    let mut parser = Parser {
        input,
        pos: 0,
        peeked: None,
        depth: 0,
    };
    let filter = parser.or_expr()?;
    match parser.next()? {
        (_, Token::End) => Ok(filter),
        (pos, t) => Err(error_at(
            pos,
            format!("expected 'and', 'or' or end, found {}", t.describe()),
        )),
    }
}

impl<'a> Parser<'a> {
    fn lex(&mut self) -> Result<(usize, Token<'a>), ScimError> {
        let rest = &self.input[self.pos..];
        let trimmed = rest.trim_start();
        let start = self.pos + (rest.len() - trimmed.len());
        self.pos = start;
        let Some(c) = trimmed.chars().next() else {
            return Ok((start, Token::End));
        };
        let single = match c {
            '(' => Some(Token::LParen),
            ')' => Some(Token::RParen),
            '[' => Some(Token::LBracket),
            ']' => Some(Token::RBracket),
            _ => None,
        };
        if let Some(token) = single {
            self.pos += 1;
            return Ok((start, token));
        }
        if c == '"' {
            return self.lex_string(start);
        }
        let len = trimmed
            .find(|c: char| c.is_whitespace() || "()[]\"".contains(c))
            .unwrap_or(trimmed.len());
        self.pos += len;
        Ok((start, Token::Word(&trimmed[..len])))
    }

    fn lex_string(&mut self, start: usize) -> Result<(usize, Token<'a>), ScimError> {
        let bytes = self.input.as_bytes();
        let mut i = start + 1;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' => i += 2,
                b'"' => {
                    let literal = &self.input[start..=i];
                    let text: String = serde_json::from_str(literal)
                        .map_err(|e| error_at(start, format!("bad string literal: {e}")))?;
                    self.pos = i + 1;
                    return Ok((start, Token::Str(text)));
                }
                _ => i += 1,
            }
        }
        Err(error_at(start, "unterminated string"))
    }

    fn next(&mut self) -> Result<(usize, Token<'a>), ScimError> {
        match self.peeked.take() {
            Some(t) => Ok(t),
            None => self.lex(),
        }
    }

    fn peek(&mut self) -> Result<&(usize, Token<'a>), ScimError> {
        if self.peeked.is_none() {
            let token = self.lex()?;
            self.peeked = Some(token);
        }
        match &self.peeked {
            Some(t) => Ok(t),
            None => Err(ScimError::internal("filter lexer lost its token")),
        }
    }

    fn peek_keyword(&mut self, keyword: &str) -> Result<bool, ScimError> {
        Ok(matches!(self.peek()?, (_, Token::Word(w)) if w.eq_ignore_ascii_case(keyword)))
    }

    fn expect(&mut self, want: Token<'static>) -> Result<(), ScimError> {
        let (pos, token) = self.next()?;
        if token == want {
            Ok(())
        } else {
            Err(error_at(
                pos,
                format!("expected {}, found {}", want.describe(), token.describe()),
            ))
        }
    }

    fn nested<T>(
        &mut self,
        pos: usize,
        f: impl FnOnce(&mut Self) -> Result<T, ScimError>,
    ) -> Result<T, ScimError> {
        self.depth += 1;
        if self.depth > MAX_FILTER_DEPTH {
            return Err(error_at(
                pos,
                format!("nested deeper than {MAX_FILTER_DEPTH} levels"),
            ));
        }
        let out = f(self);
        self.depth -= 1;
        out
    }

    fn or_expr(&mut self) -> Result<Filter, ScimError> {
        let mut left = self.and_expr()?;
        while self.peek_keyword("or")? {
            self.next()?;
            let right = self.and_expr()?;
            left = Filter::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and_expr(&mut self) -> Result<Filter, ScimError> {
        let mut left = self.unary()?;
        while self.peek_keyword("and")? {
            self.next()?;
            let right = self.unary()?;
            left = Filter::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Filter, ScimError> {
        let (pos, token) = self.next()?;
        match token {
            Token::LParen => self.nested(pos, |p| {
                let inner = p.or_expr()?;
                p.expect(Token::RParen)?;
                Ok(inner)
            }),
            Token::Word(w)
                if w.eq_ignore_ascii_case("not") && matches!(self.peek()?, (_, Token::LParen)) =>
            {
                self.next()?;
                self.nested(pos, |p| {
                    let inner = p.or_expr()?;
                    p.expect(Token::RParen)?;
                    Ok(Filter::Not(Box::new(inner)))
                })
            }
            Token::Word(w) => self.attribute_expr(pos, w),
            other => Err(error_at(
                pos,
                format!(
                    "expected an attribute, '(' or 'not', found {}",
                    other.describe()
                ),
            )),
        }
    }

    fn attribute_expr(&mut self, pos: usize, word: &str) -> Result<Filter, ScimError> {
        let path = AttrPath::parse(word)
            .map_err(|_| error_at(pos, format!("{word:?} is not an attribute path")))?;
        let (op_pos, token) = self.next()?;
        match token {
            Token::LBracket => self.nested(op_pos, |p| {
                let inner = p.or_expr()?;
                p.expect(Token::RBracket)?;
                Ok(Filter::ValuePath {
                    path,
                    filter: Box::new(inner),
                })
            }),
            Token::Word(w) if w.eq_ignore_ascii_case("pr") => Ok(Filter::Present(path)),
            Token::Word(w) => {
                let op = CompareOp::from_keyword(w).ok_or_else(|| {
                    error_at(op_pos, format!("expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr), found {w:?}"))
                })?;
                let value = self.comp_value()?;
                Ok(Filter::Compare { path, op, value })
            }
            other => Err(error_at(
                op_pos,
                format!(
                    "expected an operator after {word:?}, found {}",
                    other.describe()
                ),
            )),
        }
    }

    fn comp_value(&mut self) -> Result<CompValue, ScimError> {
        let (pos, token) = self.next()?;
        let bad = |found: &str| {
            error_at(
                pos,
                format!("expected a value (string, number, true, false or null), found {found}"),
            )
        };
        match token {
            Token::Str(s) => Ok(CompValue::String(s)),
            Token::Word(w) if w.eq_ignore_ascii_case("true") => Ok(CompValue::Bool(true)),
            Token::Word(w) if w.eq_ignore_ascii_case("false") => Ok(CompValue::Bool(false)),
            Token::Word(w) if w.eq_ignore_ascii_case("null") => Ok(CompValue::Null),
            Token::Word(w) => number(w)
                .map(CompValue::Number)
                .ok_or_else(|| bad(&format!("{w:?}"))),
            other => Err(bad(&other.describe())),
        }
    }
}

/// A JSON number (RFC 8259 §6 syntax). A fraction or exponent is read with
/// correct rounding (serde_json's default reader may be off by one unit in
/// the last place), so that a filter's rendering reads back as the same value.
fn number(word: &str) -> Option<serde_json::Number> {
    let number: serde_json::Number = serde_json::from_str(word).ok()?;
    if number.is_f64() {
        word.parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
    } else {
        Some(number)
    }
}
