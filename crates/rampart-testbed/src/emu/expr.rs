//! A tiny expression and statement evaluator standing in for PHP/Node/Python `eval`.

use std::collections::HashMap;
use std::time::Duration;

/// A runtime value: integers and strings only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Value {
    Int(i128),
    Str(String),
}

impl Value {
    pub fn render(&self) -> String {
        match self {
            Value::Int(i) => i.to_string(),
            Value::Str(s) => s.clone(),
        }
    }
    fn int(&self) -> Result<i128, String> {
        match self {
            Value::Int(i) => Ok(*i),
            Value::Str(s) => s
                .trim()
                .parse()
                .map_err(|_| format!("unsupported operand type string '{s}'")),
        }
    }
}

/// What running a program produced.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Outcome {
    /// Text written by `echo`, `print` and friends.
    pub output: String,
    /// Value of the last expression statement (or of `return`).
    pub value: Option<Value>,
    /// Requested `sleep` time, already capped.
    pub delay: Duration,
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Int(i128),
    Str(String),
    Ident(String),
    Op(char),
    Pow,
}

const MAX_STR: usize = 10_000;

fn tokenize(src: &str) -> Result<Vec<Tok>, String> {
    let cs: Vec<char> = src.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    while i < cs.len() {
        let c = cs[i];
        let rest: String = cs[i..cs.len().min(i + 5)].iter().collect();
        if c.is_whitespace() {
            i += 1;
        } else if rest.starts_with("<?php") {
            i += 5;
        } else if rest.starts_with("?>") {
            i += 2;
        } else if rest.starts_with("//") || c == '#' {
            while i < cs.len() && cs[i] != '\n' {
                i += 1;
            }
        } else if rest.starts_with("/*") {
            i += 2;
            while i + 1 < cs.len() && !(cs[i] == '*' && cs[i + 1] == '/') {
                i += 1;
            }
            i += 2;
        } else if rest.starts_with("**") {
            out.push(Tok::Pow);
            i += 2;
        } else if c.is_ascii_digit() {
            let start = i;
            while i < cs.len() && cs[i].is_ascii_digit() {
                i += 1;
            }
            let s: String = cs[start..i].iter().collect();
            out.push(Tok::Int(s.parse().map_err(|_| "number too large")?));
        } else if c == '\'' || c == '"' {
            let mut s = String::new();
            i += 1;
            loop {
                match cs.get(i) {
                    None => return Err("unterminated string".into()),
                    Some(&q) if q == c => break,
                    Some('\\') => {
                        i += 1;
                        match cs.get(i) {
                            Some('n') => s.push('\n'),
                            Some(&e) => s.push(e),
                            None => return Err("unterminated string".into()),
                        }
                    }
                    Some(&ch) => s.push(ch),
                }
                i += 1;
            }
            i += 1;
            out.push(Tok::Str(s));
        } else if c.is_alphabetic() || c == '_' || c == '$' {
            let start = i;
            i += 1;
            while i < cs.len()
                && (cs[i].is_alphanumeric()
                    || cs[i] == '_'
                    || (cs[i] == '.'
                        && cs[start] != '$'
                        && cs.get(i + 1).is_some_and(|n| n.is_alphabetic())))
            {
                i += 1;
            }
            out.push(Tok::Ident(cs[start..i].iter().collect()));
        } else if "+-*/%.(),;=".contains(c) {
            out.push(Tok::Op(c));
            i += 1;
        } else {
            return Err(format!("syntax error, unexpected '{c}'"));
        }
    }
    Ok(out)
}

struct Machine {
    toks: Vec<Tok>,
    pos: usize,
    vars: HashMap<String, Value>,
    out: Outcome,
    depth: usize,
    halted: bool,
}

fn is_output_fn(name: &str) -> bool {
    matches!(
        name,
        "echo"
            | "print"
            | "puts"
            | "console.log"
            | "print_r"
            | "var_dump"
            | "printf"
            | "die"
            | "exit"
            | "res.end"
            | "res.send"
            | "document.write"
            | "p"
    )
}

impl Machine {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }
    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(&Tok::Op(c)) {
            self.pos += 1;
            true
        } else {
            false
        }
    }
    fn unexpected(&self) -> String {
        match self.peek() {
            Some(t) => format!("syntax error, unexpected {t:?}"),
            None => "syntax error, unexpected end of file".into(),
        }
    }

    fn emit(&mut self, v: &Value) {
        if self.out.output.len() < MAX_STR {
            self.out.output.push_str(&v.render());
        }
    }

    fn program(&mut self) -> Result<(), String> {
        while self.peek().is_some() && !self.halted {
            if self.eat(';') {
                continue;
            }
            self.statement()?;
            if self.peek().is_some() && !self.eat(';') {
                return Err(self.unexpected());
            }
        }
        Ok(())
    }

    fn statement(&mut self) -> Result<(), String> {
        if let Some(Tok::Ident(name)) = self.peek().cloned() {
            let next = self.toks.get(self.pos + 1).cloned();
            let bare_call = is_output_fn(&name) && next != Some(Tok::Op('('));
            if bare_call || name == "return" {
                self.pos += 1;
                let mut v = self.expr()?;
                if name != "return" {
                    self.emit(&v);
                    while self.eat(',') {
                        v = self.expr()?;
                        self.emit(&v);
                    }
                }
                self.out.value = Some(v);
                return Ok(());
            }
            if next == Some(Tok::Op('=')) {
                self.pos += 2;
                let v = self.expr()?;
                self.vars.insert(name, v.clone());
                self.out.value = Some(v);
                return Ok(());
            }
        }
        let v = self.expr()?;
        self.out.value = Some(v);
        Ok(())
    }

    fn expr(&mut self) -> Result<Value, String> {
        self.depth += 1;
        if self.depth > 64 {
            return Err("expression nested too deeply".into());
        }
        let mut l = self.term()?;
        loop {
            let op = match self.peek() {
                Some(Tok::Op(c)) if "+-.".contains(*c) => *c,
                _ => break,
            };
            self.pos += 1;
            let r = self.term()?;
            l = match (op, l, r) {
                ('+', Value::Int(a), Value::Int(b)) => {
                    Value::Int(a.checked_add(b).ok_or("integer overflow")?)
                }
                ('-', a, b) => {
                    Value::Int(a.int()?.checked_sub(b.int()?).ok_or("integer overflow")?)
                }
                (_, a, b) => cat(a.render(), &b.render()),
            };
        }
        self.depth -= 1;
        Ok(l)
    }

    fn term(&mut self) -> Result<Value, String> {
        let mut l = self.unary()?;
        loop {
            let op = match self.peek() {
                Some(Tok::Op(c)) if "*/%".contains(*c) => *c,
                _ => break,
            };
            self.pos += 1;
            let r = self.unary()?;
            l = match (op, l, r) {
                ('*', Value::Str(s), n) | ('*', n @ Value::Int(_), Value::Str(s)) => {
                    let n = usize::try_from(n.int()?).unwrap_or(0);
                    if s.len().saturating_mul(n) > MAX_STR {
                        return Err("string too long".into());
                    }
                    Value::Str(s.repeat(n))
                }
                (op, a, b) => {
                    let (a, b) = (a.int()?, b.int()?);
                    let r = match op {
                        '*' => a.checked_mul(b),
                        '/' => a.checked_div(b),
                        _ => a.checked_rem(b),
                    };
                    Value::Int(r.ok_or("division by zero or overflow")?)
                }
            };
        }
        Ok(l)
    }

    fn unary(&mut self) -> Result<Value, String> {
        if self.eat('-') {
            let v = self.unary()?.int()?;
            return Ok(Value::Int(v.checked_neg().ok_or("integer overflow")?));
        }
        if self.eat('+') {
            return self.unary();
        }
        let base = self.primary()?;
        if self.peek() == Some(&Tok::Pow) {
            self.pos += 1;
            let e = self.unary()?.int()?;
            let e = u32::try_from(e).map_err(|_| "bad exponent")?;
            return Ok(Value::Int(
                base.int()?.checked_pow(e).ok_or("integer overflow")?,
            ));
        }
        Ok(base)
    }

    fn primary(&mut self) -> Result<Value, String> {
        match self.peek().cloned() {
            Some(Tok::Int(i)) => {
                self.pos += 1;
                Ok(Value::Int(i))
            }
            Some(Tok::Str(s)) => {
                self.pos += 1;
                Ok(Value::Str(s))
            }
            Some(Tok::Op('(')) => {
                self.pos += 1;
                let v = self.expr()?;
                if !self.eat(')') {
                    return Err(self.unexpected());
                }
                Ok(v)
            }
            Some(Tok::Ident(name)) => {
                self.pos += 1;
                if self.eat('(') {
                    let mut args = Vec::new();
                    if !self.eat(')') {
                        loop {
                            args.push(self.expr()?);
                            if self.eat(')') {
                                break;
                            }
                            if !self.eat(',') {
                                return Err(self.unexpected());
                            }
                        }
                    }
                    return self.call(&name, args);
                }
                match self.vars.get(&name) {
                    Some(v) => Ok(v.clone()),
                    None if name.starts_with('$') => Ok(Value::Str(String::new())),
                    None => Err(format!("{name} is not defined")),
                }
            }
            _ => Err(self.unexpected()),
        }
    }

    fn call(&mut self, name: &str, args: Vec<Value>) -> Result<Value, String> {
        let first = args.first().cloned().unwrap_or(Value::Str(String::new()));
        let s = first.render();
        let v = match name {
            n if is_output_fn(n) => {
                for a in &args {
                    self.emit(a);
                }
                if matches!(n, "die" | "exit") {
                    self.halted = true;
                }
                Value::Int(1)
            }
            "str" | "strval" | "String" | "toString" | "to_s" => Value::Str(s),
            "int" | "intval" | "parseInt" | "Number" => Value::Int(first.int()?),
            "strrev" => Value::Str(s.chars().rev().collect()),
            "strtoupper" | "upper" => Value::Str(s.to_uppercase()),
            "strtolower" | "lower" => Value::Str(s.to_lowercase()),
            "strlen" | "len" => Value::Int(s.chars().count() as i128),
            "abs" | "Math.abs" => Value::Int(first.int()?.abs()),
            "concat" => Value::Str(args.iter().map(Value::render).collect()),
            "chr" | "String.fromCharCode" => {
                let c = u32::try_from(first.int()?).ok().and_then(char::from_u32);
                Value::Str(c.map(String::from).unwrap_or_default())
            }
            "sleep" | "usleep" | "time.sleep" => {
                let secs = first.int()? as f64 / if name == "usleep" { 1e6 } else { 1.0 };
                self.out.delay = super::capped_delay(self.out.delay.as_secs_f64() + secs);
                Value::Int(0)
            }
            "phpversion" => Value::Str("7.2.24".into()),
            "phpinfo" => {
                self.emit(&Value::Str("PHP Version 7.2.24".into()));
                Value::Int(1)
            }
            _ => return Err(format!("call to undefined function {name}()")),
        };
        Ok(v)
    }
}

fn cat(mut a: String, b: &str) -> Value {
    if a.len() + b.len() <= MAX_STR {
        a.push_str(b);
    }
    Value::Str(a)
}

/// Runs `src` as a sequence of `;`-separated statements.
pub(crate) fn run(src: &str) -> Result<Outcome, String> {
    let mut m = Machine {
        toks: tokenize(src)?,
        pos: 0,
        vars: HashMap::new(),
        out: Outcome::default(),
        depth: 0,
        halted: false,
    };
    m.program()?;
    Ok(m.out)
}

/// Evaluates one expression.
pub(crate) fn eval(src: &str) -> Result<Value, String> {
    let mut m = Machine {
        toks: tokenize(src)?,
        pos: 0,
        vars: HashMap::new(),
        out: Outcome::default(),
        depth: 0,
        halted: false,
    };
    let v = m.expr()?;
    if m.peek().is_some() {
        return Err(m.unexpected());
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_and_strings() {
        assert_eq!(eval("7*7"), Ok(Value::Int(49)));
        assert_eq!(eval("123456*654321"), Ok(Value::Int(80779853376)));
        assert_eq!(eval("7*'7'"), Ok(Value::Str("7777777".into())));
        assert_eq!(eval("'ab'.'cd'"), Ok(Value::Str("abcd".into())));
        assert_eq!(eval("'ab'+'cd'"), Ok(Value::Str("abcd".into())));
        assert!(eval("foo").is_err());
    }

    #[test]
    fn statements_print() {
        let o = run("$result = 1;echo 'abc'.'def';//").unwrap_or_default();
        assert_eq!(o.output, "abcdef");
        let o = run("1;print(11*11);").unwrap_or_default();
        assert_eq!(o.output, "121");
        let o = run("<?php echo \"x\" . 'y'; ?>").unwrap_or_default();
        assert_eq!(o.output, "xy");
        let o = run("sleep(3)").unwrap_or_default();
        assert_eq!(o.delay, Duration::from_secs(3));
        let o = run("require('x')");
        assert!(o.is_err());
    }
}
