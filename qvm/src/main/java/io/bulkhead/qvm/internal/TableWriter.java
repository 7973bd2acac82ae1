package io.bulkhead.qvm.internal;

import java.io.PrintWriter;
import java.util.List;

/** {@code column -t}, as qubesadmin's {@code print_table} uses it: columns padded, two spaces apart. */
public final class TableWriter {

    private TableWriter() {
    }

    public static void print(PrintWriter out, List<? extends List<String>> rows) {
        int columns = 0;
        for (List<String> row : rows) {
            columns = Math.max(columns, row.size());
        }
        int[] widths = new int[columns];
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], width(row.get(i)));
            }
        }
        StringBuilder line = new StringBuilder();
        for (List<String> row : rows) {
            line.setLength(0);
            for (int i = 0; i < row.size(); i++) {
                String cell = row.get(i);
                line.append(cell);
                if (i < row.size() - 1) {
                    line.append(" ".repeat(widths[i] - width(cell) + 2));
                }
            }
            int end = line.length();
            while (end > 0 && line.charAt(end - 1) == ' ') {
                end--;
            }
            line.setLength(end);
            out.println(line);
        }
    }

    /** Display width: code points (qube names and values are narrow characters). */
    static int width(String cell) {
        return cell.codePointCount(0, cell.length());
    }
}
