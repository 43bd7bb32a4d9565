//! A `/bin/sh` look-alike for command injection: separators, substitution, a few commands.

use super::{capped_delay, fs};
use std::time::Duration;

/// What an emulated command line printed and how long it would have taken.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct ShellResult {
    pub output: String,
    pub delay: Duration,
}

struct Sh {
    delay_secs: f64,
    depth: usize,
}

/// Runs `line` as `sh -c` would (emulated: no process is ever started).
pub(crate) fn run(line: &str) -> ShellResult {
    let mut sh = Sh {
        delay_secs: 0.0,
        depth: 0,
    };
    let (out, _) = sh.list(line);
    ShellResult {
        output: out,
        delay: capped_delay(sh.delay_secs),
    }
}

/// Runs `argv` as `execve` would, without a shell: no separators, no substitution, no
/// quotes; the words are exactly what the caller split (emulated: no process is started).
pub(crate) fn exec(argv: &[String]) -> ShellResult {
    let mut sh = Sh {
        delay_secs: 0.0,
        depth: 0,
    };
    let (out, _) = sh.exec(argv);
    ShellResult {
        output: out,
        delay: capped_delay(sh.delay_secs),
    }
}

/// `expr` over its arguments: `A op B` with integer operands (`op` one of `+ - * / %`).
fn expr(args: &[String]) -> (String, bool) {
    let (Some(a), Some(op), Some(b)) = (args.first(), args.get(1), args.get(2)) else {
        return ("expr: syntax error: missing argument\n".into(), false);
    };
    let (Ok(a), Ok(b)) = (a.parse::<i64>(), b.parse::<i64>()) else {
        return ("expr: non-integer argument\n".into(), false);
    };
    let v = match op.as_str() {
        "+" => a.checked_add(b),
        "-" => a.checked_sub(b),
        "*" => a.checked_mul(b),
        "/" => a.checked_div(b),
        "%" => a.checked_rem(b),
        _ => None,
    };
    match v {
        Some(v) => (format!("{v}\n"), true),
        None => ("expr: syntax error\n".into(), false),
    }
}

/// Splits at top-level separators, keeping which separator preceded each part.
fn split(line: &str) -> Vec<(&'static str, String)> {
    let cs: Vec<char> = line.chars().collect();
    let mut parts = Vec::new();
    let mut cur = String::new();
    let mut sep: &'static str = ";";
    let (mut sq, mut dq) = (false, false);
    let mut i = 0;
    while i < cs.len() {
        let c = cs[i];
        let two: String = cs[i..cs.len().min(i + 2)].iter().collect();
        if c == '\'' && !dq {
            sq = !sq;
            cur.push(c);
        } else if c == '"' && !sq {
            dq = !dq;
            cur.push(c);
        } else if sq || dq {
            cur.push(c);
        } else if let Some(s) = ["&&", "||"].into_iter().find(|s| two == *s) {
            parts.push((sep, std::mem::take(&mut cur)));
            sep = s;
            i += 1;
        } else if let Some(s) = [";", "\n", "\r", "|", "&"]
            .into_iter()
            .find(|s| s.starts_with(c))
        {
            parts.push((sep, std::mem::take(&mut cur)));
            sep = s;
        } else {
            cur.push(c);
        }
        i += 1;
    }
    parts.push((sep, cur));
    parts
}

fn words(cmd: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut has = false;
    for c in cmd.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                has = true;
            }
            (None, c) if c.is_whitespace() => {
                if has || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                    has = false;
                }
            }
            (None, c) => cur.push(c),
        }
    }
    if has || !cur.is_empty() {
        out.push(cur);
    }
    out
}

impl Sh {
    /// Runs a command list; returns its output and whether the last command succeeded.
    fn list(&mut self, line: &str) -> (String, bool) {
        self.depth += 1;
        if self.depth > 16 {
            return (String::new(), false);
        }
        let line = self.substitute(line);
        let mut out = String::new();
        let mut ok = true;
        for (sep, part) in split(&line) {
            if part.trim().is_empty() {
                continue;
            }
            let run = match sep {
                "&&" => ok,
                "||" => !ok,
                _ => true,
            };
            if !run {
                continue;
            }
            let (o, success) = self.command(&part);
            if sep == "|" {
                out.clear();
            }
            out.push_str(&o);
            ok = success;
        }
        self.depth -= 1;
        (out, ok)
    }

    /// Replaces `$(...)` and backticks with the output of what they contain.
    fn substitute(&mut self, line: &str) -> String {
        let mut s = line.to_owned();
        for _ in 0..16 {
            let found = if let Some(start) = s.rfind("$(") {
                s[start..]
                    .find(')')
                    .map(|end| (start, start + 2, start + end, start + end + 1))
            } else if let Some(end) = s.rfind('`') {
                s[..end]
                    .rfind('`')
                    .map(|start| (start, start + 1, end, end + 1))
            } else {
                None
            };
            let Some((from, inner_from, inner_to, to)) = found else {
                break;
            };
            let inner = s[inner_from..inner_to].to_owned();
            let (o, _) = self.list(&inner);
            s.replace_range(from..to, o.trim_end_matches('\n'));
        }
        s
    }

    fn command(&mut self, cmd: &str) -> (String, bool) {
        self.exec(&words(cmd))
    }

    fn exec(&mut self, w: &[String]) -> (String, bool) {
        let Some(name) = w.first() else {
            return (String::new(), true);
        };
        let args = &w[1..];
        let name = name.rsplit('/').next().unwrap_or(name);
        match name {
            "echo" | "printf" => {
                let a: Vec<&str> = args
                    .iter()
                    .map(String::as_str)
                    .filter(|a| !matches!(*a, "-n" | "-e"))
                    .collect();
                (format!("{}\n", a.join(" ")), true)
            }
            "sleep" | "timeout" => {
                let n = args
                    .iter()
                    .find_map(|a| a.parse::<f64>().ok())
                    .unwrap_or(0.0);
                self.delay_secs += n;
                (String::new(), true)
            }
            "ping" => self.ping(args),
            "expr" => expr(args),
            "id" => (
                "uid=33(www-data) gid=33(www-data) groups=33(www-data)\n".into(),
                true,
            ),
            "whoami" => ("www-data\n".into(), true),
            "uname" => (
                "Linux acme-web01 4.15.0-213-generic x86_64 GNU/Linux\n".into(),
                true,
            ),
            "uptime" => (
                " 17:01:02 up 12 days,  3:04,  0 users,  load average: 0.00, 0.01, 0.05\n".into(),
                true,
            ),
            "pwd" => ("/var/www/html/tools\n".into(), true),
            "cat" | "type" | "more" => {
                let mut out = String::new();
                for a in args.iter().filter(|a| !a.starts_with('-')) {
                    match fs::read(&fs::resolve("/var/www/html/tools", a)) {
                        Some(c) => out.push_str(&c),
                        None => return (format!("cat: {a}: No such file or directory\n"), false),
                    }
                }
                (out, true)
            }
            "true" | ":" => (String::new(), true),
            other if self.depth == 0 => (
                format!("exec: \"{other}\": executable file not found in $PATH\n"),
                false,
            ),
            other => (format!("sh: 1: {other}: not found\n"), false),
        }
    }

    fn ping(&mut self, args: &[String]) -> (String, bool) {
        let mut count = 4.0;
        let mut host = None;
        let mut it = args.iter();
        while let Some(a) = it.next() {
            if a == "-c" || a == "-n" {
                count = it.next().and_then(|n| n.parse().ok()).unwrap_or(count);
            } else if !a.starts_with('-') {
                host = Some(a.clone());
            }
        }
        let valid = |h: &str| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-:".contains(c))
        };
        match host {
            Some(h) if valid(&h) => {
                let count = f64::clamp(count, 1.0, 20.0);
                self.delay_secs += count - 1.0;
                let mut out = format!("PING {h} ({h}) 56(84) bytes of data.\n");
                for seq in 1..=(count as u32) {
                    out.push_str(&format!(
                        "64 bytes from {h}: icmp_seq={seq} ttl=64 time=0.04 ms\n"
                    ));
                }
                out.push_str(&format!(
                    "\n--- {h} ping statistics ---\n{c} packets transmitted, {c} received, 0% packet loss\n",
                    c = count as u32
                ));
                (out, true)
            }
            Some(h) => (format!("ping: {h}: Name or service not known\n"), false),
            None => (
                "ping: usage error: Destination address required\n".into(),
                false,
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn exec_runs_one_program_without_a_shell() {
        assert_eq!(exec(&argv("expr 12 + 30")).output, "42\n");
        assert!(exec(&argv("id")).output.starts_with("uid=33("));
        let r = exec(&argv("uptime;echo MARK"));
        assert!(!r.output.contains("MARK\n"), "{}", r.output);
        let r = exec(&argv("echo $(echo MARK)"));
        assert_eq!(r.output, "$(echo MARK)\n", "no substitution");
        let r = exec(&argv("ping -c 1 127.0.0.1 -c 3"));
        assert_eq!(r.delay, Duration::from_secs(2), "the last count wins");
        assert_eq!(exec(&argv("sleep 2")).delay, Duration::from_secs(2));
    }

    #[test]
    fn separators_and_substitution() {
        for p in [
            ";echo MARK",
            "|echo MARK",
            "&& echo MARK",
            "$(echo MARK)",
            "`echo MARK`",
            "\necho MARK",
        ] {
            let r = run(&format!("ping -c 1 127.0.0.1{p}"));
            assert!(r.output.contains("MARK"), "{p}: {}", r.output);
        }
        let r = run("ping -c 1 || echo MARK");
        assert!(r.output.contains("MARK"));
        let r = run("ping -c 1 127.0.0.1;sleep 3");
        assert_eq!(r.delay, Duration::from_secs(3));
        let r = run("ping -c 1 x';echo MARK;'");
        assert!(
            !r.output.contains("MARK\n"),
            "quoted separators stay literal"
        );
        let r = run("ping -c 1 127.0.0.1;expr 6 + 7");
        assert!(r.output.ends_with("13\n"), "{}", r.output);
        let r = run("ping -c 1 127.0.0.1 & sleep 99 &");
        assert_eq!(r.delay, super::super::MAX_DELAY);
    }
}
