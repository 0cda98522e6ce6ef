package io.tributary.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Keeps docs/configuration.md true to the code. */
class ConfigDocsTest {

    private static final Path DOC = Path.of("..", "docs", "configuration.md");

    @Test
    void everySettingIsDocumentedWithItsEnvironmentVariableFlagAndDefault() throws IOException {
        String doc = Files.readString(DOC);
        TributaryConfig defaults = ConfigLoader.load(new String[0], Map.of("HOSTNAME", "h"));
        for (Settings.Setting s : Settings.leaves()) {
            String row = doc.lines().filter(l -> l.startsWith("| `" + s.key() + "` |")).findFirst().orElse(null);
            assertThat(row).as("table row for %s", s.key()).isNotNull();
            assertThat(row).contains("`" + s.envName() + "`");
            if (s.flag() != null) {
                assertThat(row).contains("`" + s.flag() + "`");
            }
            if (s.defaultValue() != null) {
                assertThat(row).as("default of %s", s.key()).contains("`" + s.defaultValue().asText() + "`");
            }
        }
        for (String map : Settings.PASSTHROUGH) {
            assertThat(doc).contains("| `" + map + "` | `" + Settings.envName(map) + "_<PROPERTY>` |");
        }
        assertThat(defaults.toYaml()).isNotEmpty();
    }

    @Test
    void theCompleteExampleLoads(@TempDir Path dir) throws IOException {
        String doc = Files.readString(DOC);
        String section = doc.substring(doc.indexOf("## A complete example"));
        Matcher m = Pattern.compile("```yaml\n(.*?)```", Pattern.DOTALL).matcher(section);
        assertThat(m.find()).isTrue();
        Path file = dir.resolve("tributary.yaml");
        Files.writeString(file, m.group(1));

        TributaryConfig c = ConfigLoader.load(new String[] {"--config", file.toString()}, Map.of());

        assertThat(c.nodeId()).isEqualTo("broker-1");
        assertThat(c.mappingRules()).hasSize(3);
        // the example shows every setting
        String printed = c.toYaml();
        for (Settings.Setting s : Settings.leaves()) {
            String last = s.key().substring(s.key().lastIndexOf('.') + 1);
            assertThat(m.group(1)).as("example shows %s", s.key()).contains(last + ":");
            assertThat(printed).contains(last + ":");
        }
    }

    @Test
    void theCommandLinesParse() throws IOException {
        String doc = Files.readString(DOC);
        String section = doc.substring(doc.indexOf("## Command lines"));
        String block = section.substring(section.indexOf("```sh\n") + 6, section.indexOf("```", section.indexOf("```sh\n") + 6));
        List<String[]> commands = new ArrayList<>();
        for (String line : block.replace("\\\n", " ").lines().toList()) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            List<String> words = new ArrayList<>(List.of(line.trim().split("\\s+")));
            Map<String, String> env = new java.util.HashMap<>();
            while (!words.get(0).equals("./tributary")) {
                String[] kv = words.remove(0).split("=", 2);
                env.put(kv[0], kv[1]);
            }
            words.remove(0);
            if (words.contains("--config")) {
                continue; // needs a file
            }
            commands.add(words.toArray(String[]::new));
            ConfigLoader.load(words.toArray(String[]::new), env); // throws if it does not parse
        }
        assertThat(commands).hasSizeGreaterThanOrEqualTo(5);
    }
}
