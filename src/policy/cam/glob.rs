//! `*` wildcard matching as CAM uses it (any run of characters, `/` included; no `?` or
//! classes). Written by hand: glob crates give `?` and `/` meanings CAM does not have.

/// Whether `text` matches `pattern`, where `*` matches any (possibly empty) run of characters.
pub fn matches(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn table() {
        for (p, t, want) in [
            ("*", "", true),
            ("*", "anything/at/all", true),
            ("a*", "a", true),
            ("a*", "abc/d", true),
            ("a*", "ba", false),
            ("doc/*", "doc/x/y.txt", true),
            ("doc/*", "docs/x", false),
            ("*.jpg", "a/b.jpg", true),
            ("*.jpg", "a/b.jpeg", false),
            ("a*b*c", "aXbYc", true),
            ("a*b*c", "aXbY", false),
            ("name/cos:Get*", "name/cos:GetObject", true),
            ("name/cos:Get*", "name/cos:getObject", false),
            ("exact", "exact", true),
            ("exact", "exactly", false),
            ("文件/*", "文件/a", true),
        ] {
            assert_eq!(matches(p, t), want, "{p} vs {t}");
        }
    }
}
