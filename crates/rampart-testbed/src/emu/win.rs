//! A Windows `CreateProcess` look-alike: the command line is one program and its arguments
//! (no shell unless the program is `cmd /c`), with a few programs a web server would run.

use super::capped_delay;
use super::shell::ShellResult;

/// Runs `line` as `CreateProcess` would (emulated: no process is ever started).
pub(crate) fn exec(line: &str) -> ShellResult {
    let w: Vec<&str> = line.split_whitespace().collect();
    let mut delay = 0.0;
    let output = match w.first().map(|n| n.to_ascii_lowercase()) {
        None => String::new(),
        Some(n) => match n.trim_end_matches(".exe") {
            "cmd" if w.get(1).is_some_and(|a| a.eq_ignore_ascii_case("/c")) => {
                builtin(&w[2..], &mut delay)
            }
            "ping" => ping(&w[1..], &mut delay),
            "whoami" => "iis apppool\\shop\r\n".into(),
            "hostname" => "ACME-WEB02\r\n".into(),
            _ => format!(
                "'{}' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n",
                w[0]
            ),
        },
    };
    ShellResult {
        output,
        delay: capped_delay(delay),
    }
}

/// What `cmd /c` runs: `set /a`, `echo`, `ver`, `timeout`, or a program.
fn builtin(w: &[&str], delay: &mut f64) -> String {
    match w.first().map(|n| n.to_ascii_lowercase()).as_deref() {
        Some("set") if w.get(1).is_some_and(|a| a.eq_ignore_ascii_case("/a")) => {
            arithmetic(&w[2..].concat())
                .map_or_else(|| "Missing operand.\r\n".into(), |v| v.to_string())
        }
        Some("echo") => format!("{}\r\n", w[1..].join(" ")),
        Some("ver") => "\r\nMicrosoft Windows [Version 10.0.17763.5329]\r\n".into(),
        Some("timeout") => {
            *delay += w.iter().find_map(|a| a.parse::<f64>().ok()).unwrap_or(0.0);
            String::new()
        }
        Some(_) => exec(&w.join(" ")).output,
        None => String::new(),
    }
}

/// `A op B` with integer operands, as `set /a` evaluates it.
fn arithmetic(e: &str) -> Option<i64> {
    let i = e.find(['+', '-', '*', '/'])?;
    let (a, b) = (e[..i].parse::<i64>().ok()?, e[i + 1..].parse::<i64>().ok()?);
    match &e[i..=i] {
        "+" => a.checked_add(b),
        "-" => a.checked_sub(b),
        "*" => a.checked_mul(b),
        _ => a.checked_div(b),
    }
}

fn ping(args: &[&str], delay: &mut f64) -> String {
    let mut count = 4.0f64;
    let mut host = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a.eq_ignore_ascii_case("-n") {
            count = it.next().and_then(|n| n.parse().ok()).unwrap_or(count);
        } else if !a.starts_with('-') {
            host = Some(*a);
        }
    }
    let Some(h) = host else {
        return "IP address must be specified.\r\n".into();
    };
    let count = count.clamp(1.0, 20.0);
    *delay += count - 1.0;
    let mut out = format!("\r\nPinging {h} with 32 bytes of data:\r\n");
    for _ in 0..count as u32 {
        out.push_str(&format!("Reply from {h}: bytes=32 time<1ms TTL=128\r\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn programs_and_cmd_builtins() {
        assert_eq!(exec("cmd /c set /a 6*7").output, "42");
        assert_eq!(exec("cmd.exe /c set /a 6 * 7").output, "42");
        assert!(exec("ver & whoami").output.contains("is not recognized"));
        assert_eq!(exec("ping -n 3 127.0.0.1").delay, Duration::from_secs(2));
        assert_eq!(exec("cmd /c timeout /t 2").delay, Duration::from_secs(2));
        assert!(exec("cmd /c ver").output.contains("Microsoft Windows"));
    }
}
