package io.tributary.bench;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/**
 * Output options shared by {@link PublishBench} and {@link E2eBench} (a picocli mixin), and the
 * steps both commands take around a run: option errors become usage errors, the report is printed
 * and optionally written as JSON, and the outcome becomes the exit code: 0 clean, 2 a connection
 * (or SUBSCRIBE) failed or was refused, 3 an unclean run; picocli's 2 for usage errors, 1 others.
 */
final class OutputOptions {

    static final int EXIT_CONNECT_FAILED = 2;
    static final int EXIT_RUN_ERRORS = 3;

    /** What both results offer: the two renderings and the outcome. */
    interface Report {
        String toText();

        String toJson();

        /** Connections (or SUBSCRIBEs) that failed; the run was aborted if any. */
        List<String> failures();

        boolean clean();
    }

    @Option(names = "--json", description = "Also write the result as one JSON object to this file.")
    Path json;

    @Option(names = "--quiet", description = "No per-second progress lines.")
    boolean quiet;

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    /** Builds the run's config; a value it rejects is reported as a usage error. */
    <C> C config(Supplier<C> build) {
        try {
            return build.get();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(command.commandLine(), e.getMessage());
        }
    }

    /** Where the runner prints its progress lines: nowhere with --quiet. */
    PrintStream progress(PrintStream out) {
        return quiet ? null : out;
    }

    /** Prints the report, writes it to --json if given, and returns the exit code. */
    int report(PrintStream out, Report result) throws IOException {
        out.print(result.toText());
        out.flush();
        if (json != null) {
            writeJson(json, result);
        }
        return exitCode(result);
    }

    static int exitCode(Report result) {
        if (!result.failures().isEmpty()) {
            return EXIT_CONNECT_FAILED;
        }
        return result.clean() ? 0 : EXIT_RUN_ERRORS;
    }

    static void writeJson(Path file, Report result) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, result.toJson() + "\n", StandardCharsets.UTF_8);
    }
}
