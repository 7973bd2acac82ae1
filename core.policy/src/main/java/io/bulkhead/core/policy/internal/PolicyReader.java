package io.bulkhead.core.policy.internal;

import io.bulkhead.core.policy.PolicyError;
import io.bulkhead.core.policy.RuleLocation;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads policy files into one ordered rule list (reference a.1, a.2, a.6, a.7): directories,
 * file-name rules, directives and includes, the old per-service syntax and {@code !compat-4.0}.
 *
 * <p>Unlike Qubes, which stops at the first error, reading goes on after an error so that a
 * linter sees all of them; any error still makes the whole policy invalid. Include loops, very
 * deep nesting and runaway include fan-out are errors, so reading always terminates.
 */
final class PolicyReader {
    static final String SUFFIX = ".policy";
    static final int MAX_INCLUDE_DEPTH = 32;
    static final int MAX_FILE_READS = 10_000;
    static final int MAX_ERRORS = 1_000;
    private static final String[] LEGACY_IGNORED_SUFFIXES = {".rpmsave", ".rpmnew", ".swp"};

    private final PolicyFiles files;
    /** Directory that {@code !compat-4.0} imports; {@code null}: it imports nothing. */
    private final String legacyDir;
    private final List<Rule> rules = new ArrayList<>();
    private final List<PolicyError> errors = new ArrayList<>();
    /** Identities of the files being read, innermost last. */
    private final Deque<String> reading = new ArrayDeque<>();
    private int fileReads;
    private boolean budgetExceeded;

    PolicyReader(PolicyFiles files, String legacyDir) {
        this.files = files;
        this.legacyDir = legacyDir;
    }

    List<Rule> rules() {
        return rules;
    }

    List<PolicyError> errors() {
        return errors;
    }

    /**
     * The top-level directories, earlier ones first: a file name present in several directories
     * is read from the first only; all files are then read in byte-wise name order.
     */
    void readDirectories(List<String> directories) {
        Map<String, String> chosen = new TreeMap<>();
        for (String dir : directories) {
            for (String name : consideredFiles(dir, null)) {
                chosen.putIfAbsent(name, dir);
            }
        }
        for (Map.Entry<String, String> entry : chosen.entrySet()) {
            String dir = entry.getValue();
            readFile(files.join(dir, entry.getKey()), dir, 0);
        }
    }

    /** One file as the whole policy; includes resolve against {@code baseDir}. */
    void readMainFile(String path, String baseDir) {
        if (files.kind(path) != PolicyFiles.Kind.FILE) {
            error(path, 0, "no such policy file: " + PyText.repr(path));
            return;
        }
        readFile(path, baseDir, 0);
    }

    /**
     * The names of a directory's policy files, sorted: regular files ending in {@code .policy}
     * and not starting with a dot; a bad name is an error (reported at {@code includer}, or at
     * the file itself for top-level directories).
     */
    private List<String> consideredFiles(String dir, RuleLocation includer) {
        PolicyFiles.Kind kind = files.kind(dir);
        if (kind != PolicyFiles.Kind.DIRECTORY) {
            String what = kind == PolicyFiles.Kind.MISSING ? "no such policy directory: " : "not a directory: ";
            if (includer == null) {
                error(dir, 0, what + dir);
            } else {
                error(includer, what + dir);
            }
            return List.of();
        }
        List<String> names;
        try {
            names = files.list(dir);
        } catch (IOException e) {
            error(includer == null ? new RuleLocation(dir, 0) : includer,
                    "cannot list directory " + dir + ": " + describe(e));
            return List.of();
        }
        names = new ArrayList<>(names);
        Collections.sort(names);
        List<String> considered = new ArrayList<>();
        for (String name : names) {
            if (!name.endsWith(SUFFIX) || name.startsWith(".")
                    || files.kind(files.join(dir, name)) != PolicyFiles.Kind.FILE) {
                continue;
            }
            if (!isValidFileName(name)) {
                error(files.join(dir, name), 0, "invalid filename: " + name
                        + " (only 0-9 a-z _ . - are allowed; the whole policy is rejected)");
            }
            considered.add(name);
        }
        return considered;
    }

    static boolean isValidFileName(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** A file in the R4.1+ syntax. {@code topDir} is where relative include paths start. */
    private void readFile(String path, String topDir, int depth) {
        List<String> lines = enter(path);
        if (lines == null) {
            return;
        }
        try {
            for (int i = 0; i < lines.size(); i++) {
                String line = PyText.strip(lines.get(i));
                if (line.isEmpty() || line.charAt(0) == '#') {
                    continue;
                }
                RuleLocation here = new RuleLocation(path, i + 1);
                if (line.charAt(0) == '!') {
                    directive(PyText.split(line), here, topDir, depth);
                    continue;
                }
                try {
                    rules.add(RuleParser.parseLine(line, here));
                } catch (PolicySyntaxException e) {
                    error(here, e.getMessage());
                }
            }
        } finally {
            reading.removeLast();
        }
    }

    private void directive(List<String> fields, RuleLocation here, String topDir, int depth) {
        String name = fields.get(0);
        List<String> params = fields.subList(1, fields.size());
        switch (name) {
            case "!include":
                if (params.size() != 1) {
                    error(here, "invalid number of params");
                } else if (includable(params.get(0), topDir, here, depth)) {
                    readFile(files.join(topDir, params.get(0)), topDir, depth + 1);
                }
                break;
            case "!include-dir":
                if (params.size() != 1) {
                    error(here, "invalid number of params");
                } else if (depth + 1 > MAX_INCLUDE_DEPTH) {
                    error(here, "includes nested too deeply (limit " + MAX_INCLUDE_DEPTH + ")");
                } else {
                    String dir = files.join(topDir, params.get(0));
                    for (String file : consideredFiles(dir, here)) {
                        String path = files.join(dir, file);
                        if (checkLoop(path, here)) {
                            readFile(path, topDir, depth + 1);
                        }
                    }
                }
                break;
            case "!include-service":
                if (params.size() != 3) {
                    error(here, "invalid number of params");
                } else {
                    includeService(params.get(0), params.get(1), params.get(2), topDir, here, depth);
                }
                break;
            case "!compat-4.0":
                if (!params.isEmpty()) {
                    error(here, "invalid number of params");
                } else {
                    compat40(here, depth);
                }
                break;
            default:
                error(here, "invalid directive");
        }
    }

    private void includeService(String service, String argument, String included, String baseDir,
            RuleLocation here, int depth) {
        String[] validated;
        try {
            validated = RuleParser.validateServiceAndArgument(service, argument);
        } catch (PolicySyntaxException e) {
            error(here, e.getMessage());
            return;
        }
        if (includable(included, baseDir, here, depth)) {
            readServiceFile(files.join(baseDir, included), baseDir, orAny(validated[0]), orAny(validated[1]), depth + 1);
        }
    }

    private static String orAny(String value) {
        return value == null ? "*" : value;
    }

    /** A file in the old per-service syntax ({@code !include-service}, {@code !compat-4.0}). */
    private void readServiceFile(String path, String baseDir, String service, String argument, int depth) {
        List<String> lines = enter(path);
        if (lines == null) {
            return;
        }
        try {
            for (int i = 0; i < lines.size(); i++) {
                String line = PyText.strip(lines.get(i));
                if (line.isEmpty() || line.charAt(0) == '#') {
                    continue;
                }
                line = line.replace("$include:", "!include ").replace('$', '@').replace(',', ' ');
                RuleLocation here = new RuleLocation(path, i + 1);
                if (line.charAt(0) == '!') {
                    List<String> fields = PyText.split(line);
                    if (!fields.get(0).equals("!include")) {
                        error(here, "invalid directive");
                    } else if (fields.size() != 2) {
                        error(here, "invalid number of params");
                    } else if (includable(fields.get(1), baseDir, here, depth)) {
                        readServiceFile(files.join(baseDir, fields.get(1)), baseDir, service, argument, depth + 1);
                    }
                    continue;
                }
                try {
                    rules.add(RuleParser.parseServiceLine(service, argument, line, here));
                } catch (PolicySyntaxException e) {
                    error(here, e.getMessage());
                }
            }
        } finally {
            reading.removeLast();
        }
    }

    /**
     * {@code !compat-4.0}: every legacy file as {@code !include-service}, ordered by service then
     * argument ({@code *} last); argument-specific files end with two implicit deny rules.
     */
    private void compat40(RuleLocation here, int depth) {
        if (legacyDir == null) {
            return; // no legacy directory configured: nothing to import
        }
        if (files.kind(legacyDir) != PolicyFiles.Kind.DIRECTORY) {
            error(here, "!compat-4.0: legacy policy directory not found: " + legacyDir);
            return;
        }
        List<String> names;
        try {
            names = files.list(legacyDir);
        } catch (IOException e) {
            error(here, "!compat-4.0: cannot list " + legacyDir + ": " + describe(e));
            return;
        }
        Map<String, Map<String, String>> byService = new TreeMap<>();
        for (String name : names) {
            if (!isLegacyPolicyFile(name)) {
                continue;
            }
            int plus = name.indexOf('+');
            String service = plus < 0 ? name : name.substring(0, plus);
            String argument = plus < 0 ? "*" : name.substring(plus);
            byService.computeIfAbsent(service, s -> new TreeMap<>(PolicyReader::compareArgumentsAnyLast))
                    .put(argument, name);
        }
        for (Map.Entry<String, Map<String, String>> service : byService.entrySet()) {
            for (Map.Entry<String, String> argument : service.getValue().entrySet()) {
                includeService(service.getKey(), argument.getKey(), argument.getValue(), legacyDir, here, depth);
                if (!argument.getKey().equals("*")) {
                    implicitDeny(service.getKey(), argument.getKey(), files.join(legacyDir, argument.getValue()));
                }
            }
        }
    }

    private boolean isLegacyPolicyFile(String name) {
        if (name.startsWith(".") || files.kind(files.join(legacyDir, name)) != PolicyFiles.Kind.FILE) {
            return false;
        }
        for (String suffix : LEGACY_IGNORED_SUFFIXES) {
            if (name.endsWith(suffix)) {
                return false;
            }
        }
        return name.codePoints().allMatch(c -> RuleParser.isRpcNameChar(c, true));
    }

    private static int compareArgumentsAnyLast(String a, String b) {
        if (a.equals(b)) {
            return 0;
        }
        if (a.equals("*")) {
            return 1;
        }
        return b.equals("*") ? -1 : a.compareTo(b);
    }

    /** Old policy denied by default what a per-argument file did not allow. */
    private void implicitDeny(String service, String argument, String legacyFile) {
        RuleLocation implicit = new RuleLocation(legacyFile, 0);
        try {
            rules.add(RuleParser.parseServiceLine(service, argument, "@anyvm @anyvm deny", implicit));
            rules.add(RuleParser.parseServiceLine(service, argument, "@anyvm @adminvm deny", implicit));
        } catch (PolicySyntaxException e) {
            error(implicit, e.getMessage());
        }
    }

    /** Checks an include target before reading it; reports the problem at the directive. */
    private boolean includable(String included, String baseDir, RuleLocation here, int depth) {
        String path = files.join(baseDir, included);
        PolicyFiles.Kind kind = files.kind(path);
        if (kind == PolicyFiles.Kind.MISSING) {
            error(here, "no such policy file: " + PyText.repr(included));
            return false;
        }
        if (kind != PolicyFiles.Kind.FILE) {
            error(here, "not a file: " + path);
            return false;
        }
        if (depth + 1 > MAX_INCLUDE_DEPTH) {
            error(here, "includes nested too deeply (limit " + MAX_INCLUDE_DEPTH + ")");
            return false;
        }
        return checkLoop(path, here);
    }

    private boolean checkLoop(String path, RuleLocation here) {
        if (reading.contains(files.identity(path))) {
            error(here, "include loop: " + path + " is already being read");
            return false;
        }
        return true;
    }

    /** Reads and decodes a file and marks it as being read; {@code null} if it cannot be. */
    private List<String> enter(String path) {
        if (budgetExceeded) {
            return null;
        }
        if (++fileReads > MAX_FILE_READS) {
            budgetExceeded = true;
            error(path, 0, "too many policy files read (limit " + MAX_FILE_READS + "): check the includes");
            return null;
        }
        byte[] bytes;
        try {
            bytes = files.read(path);
        } catch (IOException e) {
            error(path, 0, "cannot read: " + describe(e));
            return null;
        }
        String text = decodeUtf8(path, bytes);
        if (text == null) {
            return null;
        }
        reading.addLast(files.identity(path));
        return lines(text);
    }

    private String decodeUtf8(String path, byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            int line = 1;
            for (int i = 0; i < in.position(); i++) {
                if (bytes[i] == '\n') {
                    line++;
                }
            }
            error(path, line, "invalid UTF-8");
            return null;
        }
        return out.flip().toString();
    }

    /** Lines split at {@code \n}, {@code \r\n} or {@code \r}, like Python's universal newlines. */
    static List<String> lines(String text) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r') {
                lines.add(text.substring(start, i));
                if (c == '\r' && i + 1 < n && text.charAt(i + 1) == '\n') {
                    i++;
                }
                start = i + 1;
            }
        }
        if (start < n) {
            lines.add(text.substring(start));
        }
        return lines;
    }

    private static String describe(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

    private void error(RuleLocation where, String message) {
        error(where.file(), where.line(), message);
    }

    private void error(String file, int line, String message) {
        if (errors.size() < MAX_ERRORS) {
            errors.add(new PolicyError(PolicyError.Kind.PARSE, file, line, message));
        } else if (errors.size() == MAX_ERRORS) {
            errors.add(new PolicyError(PolicyError.Kind.PARSE, file, line, "too many errors; stopped reporting"));
        }
    }
}
