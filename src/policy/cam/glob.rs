//! `*` wildcard matching as CAM uses it (any run of characters, `/` included; no `?` or
//! classes), and as AWS policies use it (`?` also matches any one character). Written by hand:
//! glob crates give `?` and `/` meanings neither language has.

/// Whether `text` matches `pattern`, where `*` matches any (possibly empty) run of characters.
pub fn matches(pattern: &str, text: &str) -> bool {
    matches_with(pattern, text, false)
}

/// AWS ARN and `StringLike` matching: `*` as in [`matches`], and `?` any one character.
pub fn matches_aws(pattern: &str, text: &str) -> bool {
    matches_with(pattern, text, true)
}

fn matches_with(pattern: &str, text: &str, question: bool) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && (p[pi] == t[ti] || (question && p[pi] == '?')) {
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

    #[test]
    fn aws_question_mark() {
        use super::matches_aws;
        for (p, t, want) in [
            ("a?c", "abc", true),
            ("a?c", "ac", false),
            ("a?c", "abbc", false),
            ("b/?*", "b/x", true),
            ("b/?*", "b/", false),
            ("*?", "", false),
        ] {
            assert_eq!(matches_aws(p, t), want, "{p} vs {t}");
        }
        assert!(!matches("a?c", "abc"), "CAM has no ?");
        assert!(matches("a?c", "a?c"));
    }
}
