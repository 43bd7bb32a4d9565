//! Stack traces, database errors and debug output.

use super::passive::{PHit, Page};
use crate::catalogue::{locs, module_id, OWASP_A05};
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};

pub(crate) const KEY: &str = "error_disclosure";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "Error Message Disclosure",
        description: "<p>Responses contain stack traces, database error messages or debug output that reveal internals of the application.</p>",
        recommendation: "Show generic error pages to users and log details on the server only; disable debug modes in production.",
        module_type: ModuleType::Passive,
        severity: Severity::Low,
        cwe: 209,
        wasc: Some(13),
        owasp_2021: "A05:2021-Security Misconfiguration",
        cvss_vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N",
        parameter_locations: locs::NONE,
        references: &[
            ("CWE-209: Generation of Error Message Containing Sensitive Information", "https://cwe.mitre.org/data/definitions/209.html"),
            ("OWASP Improper Error Handling", "https://owasp.org/www-community/Improper_Error_Handling"),
            OWASP_A05,
        ],
        attacks: &[
            AttackMeta {
                id: "ERR_01",
                kind: "Stack trace",
                class: "Information Disclosure",
                description: "Stack traces of Java, .NET, Python, PHP, Ruby and Node.",
            },
            AttackMeta {
                id: "ERR_02",
                kind: "Database error",
                class: "Information Disclosure",
                description: "Database error messages.",
            },
        ],
    }
}


pub(crate) fn inspect(p: &Page<'_>) -> Vec<PHit> {
    // Signatures: `signatures/error_disclosure.toml`; the label is the attack id.
    super::signatures::ERROR_DISCLOSURE
        .find(&p.text)
        .map(|(id, m)| {
            vec![PHit::page(
                id,
                m.as_str().chars().take(200).collect::<String>(),
                "",
            )]
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::super::passive::testing::{check, Example, HTML};

    const U: &str = "http://a.example/item";

    #[test]
    fn examples() {
        let table: &[Example] = &[
            ("java", U, 500, &[HTML], "<pre>java.lang.NullPointerException\n\tat com.shop.web.ItemController.show(ItemController.java:57)\n\tat sun.reflect.NativeMethodAccessorImpl.invoke0(Native Method)</pre>", &["ERR_01"]),
            ("java frames without at", U, 500, &[HTML], "<h3>Root Cause</h3><pre>java.lang.IllegalStateException: closed\n\tcom.shop.billing.StatementServlet.doGet(StatementServlet.java:41)\n\tjavax.servlet.http.HttpServlet.service(HttpServlet.java:635)</pre>", &["ERR_01"]),
            ("exception named in release notes", U, 200, &[HTML], "<p>Fixed: a java.lang.NullPointerException in the statement view (StatementServlet).</p>", &[]),
            ("python", U, 500, &[HTML], "<pre>Traceback (most recent call last):\n  File \"/app/views.py\", line 12, in item\nKeyError: 'id'</pre>", &["ERR_01"]),
            ("php fatal", U, 200, &[HTML], "<br />\n<b>Fatal error</b>:  Uncaught Error: Call to undefined function foo() in /var/www/html/item.php:4 on line <b>4</b><br />", &["ERR_01"]),
            (".net", U, 500, &[HTML], "[NullReferenceException]\n   at Shop.Controllers.ItemController.Show(Int32 id) in C:\\src\\Shop\\ItemController.cs:line 31", &["ERR_01"]),
            ("node", U, 500, &[("content-type", "text/plain")], "TypeError: Cannot read properties of undefined (reading 'id')\n    at show (/srv/app/routes/item.js:14:22)", &["ERR_01"]),
            ("ruby", U, 500, &[("content-type", "text/plain")], "app/controllers/items_controller.rb:8:in `show'", &["ERR_01"]),
            ("rust panic", U, 500, &[("content-type", "text/plain")], "thread 'main' panicked at 'index out of bounds', src/main.rs:3:5", &["ERR_01"]),
            ("mysql", U, 500, &[HTML], "You have an error in your SQL syntax; check the manual that corresponds to your MySQL server version", &["ERR_02"]),
            ("oracle", U, 500, &[HTML], "ORA-00933: SQL command not properly ended", &["ERR_02"]),
            ("mssql", U, 500, &[HTML], "Unclosed quotation mark after the character string ''.", &["ERR_02"]),
            ("sqlite", U, 500, &[HTML], "sqlite3.OperationalError: near \"'\": syntax error", &["ERR_02"]),
            ("prose about errors", U, 200, &[HTML], "<p>If an error occurs at checkout, see our SQL tutorial or call us at line 4.</p>", &[]),
            ("docs mentioning traceback", U, 200, &[HTML], "<p>A traceback shows where the program failed.</p>", &[]),
        ];
        check(super::inspect, table);
    }
}
