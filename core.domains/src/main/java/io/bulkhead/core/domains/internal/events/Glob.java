package io.bulkhead.core.domains.internal.events;

import java.util.regex.Pattern;

/** fnmatch-style patterns ({@code *}, {@code ?}) on event names, as Qubes handlers use. */
public final class Glob {

    private final Pattern pattern;

    public Glob(String glob) {
        StringBuilder re = new StringBuilder();
        for (char c : glob.toCharArray()) {
            if (c == '*') {
                re.append(".*");
            } else if (c == '?') {
                re.append('.');
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        pattern = Pattern.compile(re.toString(), Pattern.DOTALL);
    }

    public boolean matches(String name) {
        return pattern.matcher(name).matches();
    }
}
