//! An in-memory file system with the files path traversal payloads look for.

use std::borrow::Cow;

const PASSWD: &str = "root:x:0:0:root:/root:/bin/bash\n\
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\nbin:x:2:2:bin:/bin:/usr/sbin/nologin\n\
sys:x:3:3:sys:/dev:/usr/sbin/nologin\nwww-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n\
mysql:x:111:115:MySQL Server,,,:/nonexistent:/bin/false\n\
acme:x:1000:1000:Acme Deploy,,,:/home/acme:/bin/bash\n";

const WIN_INI: &str = "; for 16-bit app support\r\n[fonts]\r\n[extensions]\r\n\
[mci extensions]\r\n[files]\r\n[Mail]\r\nMAPI=1\r\n";

pub(crate) const INDEX_PHP: &str =
    "<?php\n// Acme Outdoor front page\nrequire_once 'config.php';\n\
$db = mysqli_connect(DB_HOST, DB_USER, DB_PASS, DB_NAME);\ninclude 'pages/home.html';\n?>\n";

const CONFIG_PHP: &str = "<?php\ndefine('DB_HOST', 'localhost');\ndefine('DB_USER', 'acme');\n\
define('DB_PASS', 'Sup3rS3cret!');\ndefine('DB_NAME', 'acme_shop');\n?>\n";

const WEB_XML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
<web-app xmlns=\"http://xmlns.jcp.org/xml/ns/javaee\" version=\"4.0\">\n  <display-name>shop</display-name>\n\
  <servlet><servlet-name>content</servlet-name><servlet-class>com.acme.ContentServlet</servlet-class></servlet>\n\
  <context-param><param-name>jdbc.password</param-name><param-value>T0mcat!Shop</param-value></context-param>\n</web-app>\n";

const DOTENV: &str =
    "APP_ENV=production\nAPP_KEY=base64:3kq0cGVyc2VjcmV0a2V5Zm9ydGVzdGluZzEyMzQ=\n\
DB_HOST=10.0.0.12\nDB_USERNAME=acme\nDB_PASSWORD=Env!r0nment\n";

const FILES: &[(&str, &str)] = &[
    ("/var/lib/tomcat9/webapps/shop/WEB-INF/web.xml", WEB_XML),
    (
        "/var/lib/tomcat9/webapps/shop/WEB-INF/classes/application.properties",
        "spring.datasource.url=jdbc:mysql://10.0.0.12/shop\nspring.datasource.password=Spr1ng!\n",
    ),
    (
        "/var/lib/tomcat9/webapps/shop/welcome.html",
        "<h2>Welcome</h2><p>Browse our catalogue.</p>",
    ),
    ("/var/www/app/.env", DOTENV),
    (
        "/var/www/app/templates/home.tpl",
        "<h2>Home</h2><p>New arrivals every week.</p>",
    ),
    (
        "/var/www/html/assets/notice.txt",
        "Shop closed on public holidays.\n",
    ),
    ("/etc/passwd", PASSWD),
    (
        "/etc/hosts",
        "127.0.0.1\tlocalhost\n127.0.1.1\tacme-web01\n",
    ),
    ("/etc/issue", "Ubuntu 18.04.6 LTS \\n \\l\n"),
    ("/windows/win.ini", WIN_INI),
    ("/winnt/win.ini", WIN_INI),
    (
        "/boot.ini",
        "[boot loader]\r\ntimeout=30\r\ndefault=multi(0)disk(0)rdisk(0)partition(1)\\WINDOWS\r\n",
    ),
    ("/var/www/html/index.php", INDEX_PHP),
    ("/var/www/html/config.php", CONFIG_PHP),
    (
        "/var/www/html/pages/about.html",
        "<h2>About us</h2><p>Family business since 1987.</p>",
    ),
    (
        "/var/www/html/pages/faq.html",
        "<h2>FAQ</h2><p>Returns are free within 30 days.</p>",
    ),
    (
        "/var/www/html/pages/shipping.html",
        "<h2>Shipping</h2><p>We ship worldwide.</p>",
    ),
    (
        "/var/www/files/manual.txt",
        "ACME TENT 3000 - ASSEMBLY MANUAL\n1. Unpack.\n2. Pitch.\n",
    ),
    (
        "/var/www/files/price-list.csv",
        "item,price\ntent,199\nlamp,25\n",
    ),
];

/// Resolves `input` against `base` like a naive PHP app would: `\` is a separator, a drive
/// letter is dropped, `..` climbs, and a NUL byte ends the path.
pub(crate) fn resolve(base: &str, input: &str) -> String {
    let input = input.split('\0').next().unwrap_or("");
    let mut p = input.replace('\\', "/");
    if p.len() >= 2 && p.as_bytes()[1] == b':' && p.as_bytes()[0].is_ascii_alphabetic() {
        p = p[2..].to_owned();
    }
    if let Some(stripped) = p.strip_prefix("file://") {
        p = stripped.to_owned();
    }
    let joined = if p.starts_with('/') {
        p
    } else {
        format!("{base}/{p}")
    };
    let mut parts: Vec<&str> = Vec::new();
    for seg in joined.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    format!("/{}", parts.join("/"))
}

/// Reads an absolute, resolved path (case-insensitively, as on Windows).
pub(crate) fn read(path: &str) -> Option<Cow<'static, str>> {
    FILES
        .iter()
        .find(|(p, _)| p.eq_ignore_ascii_case(path))
        .map(|(_, c)| Cow::Borrowed(*c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversal_resolves() {
        let base = "/var/www/html/pages";
        assert_eq!(
            resolve(base, "about.html"),
            "/var/www/html/pages/about.html"
        );
        assert_eq!(resolve(base, "../../../../etc/passwd"), "/etc/passwd");
        assert_eq!(
            resolve(base, "..\\..\\..\\..\\..\\windows\\win.ini"),
            "/windows/win.ini"
        );
        assert_eq!(resolve(base, "C:\\Windows\\win.ini"), "/Windows/win.ini");
        assert_eq!(resolve(base, "/etc/passwd\0.html"), "/etc/passwd");
        assert!(read("/Windows/WIN.INI").is_some());
    }
}
