//! A template engine that evaluates expressions in `{{ }}`, `${ }`, `<%= %>` and `#{ }`.

use super::expr;

const DELIMS: &[(&str, &str)] = &[("{{", "}}"), ("${", "}"), ("<%=", "%>"), ("#{", "}")];

/// Renders template source; an expression that fails to evaluate is a template error.
pub(crate) fn render(src: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = src;
    loop {
        let next = DELIMS
            .iter()
            .filter_map(|(open, close)| rest.find(open).map(|at| (at, *open, *close)))
            .min_by_key(|(at, _, _)| *at);
        let Some((at, open, close)) = next else {
            out.push_str(rest);
            return Ok(out);
        };
        let after = &rest[at + open.len()..];
        let Some(end) = after.find(close) else {
            out.push_str(rest);
            return Ok(out);
        };
        out.push_str(&rest[..at]);
        let inner = after[..end].trim();
        let v =
            expr::eval(inner).map_err(|e| format!("TemplateSyntaxError: {e} in \"{inner}\""))?;
        out.push_str(&v.render());
        rest = &after[end + close.len()..];
    }
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn evaluates_each_syntax() {
        assert_eq!(render("a {{7*6}} b").as_deref(), Ok("a 42 b"));
        assert_eq!(render("${3*3}|<%= 2*2 %>|#{1+1}").as_deref(), Ok("9|4|2"));
        assert_eq!(render("no {{ end").as_deref(), Ok("no {{ end"));
        assert!(render("{{ foo.bar }}").is_err());
    }
}
