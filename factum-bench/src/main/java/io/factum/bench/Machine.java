package io.factum.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** What a result was measured on: enough to tell whether two result files are comparable. */
final class Machine {

  private Machine() {}

  static Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
    m.put("cpus", Runtime.getRuntime().availableProcessors());
    m.put("cpuModel", firstLine(Path.of("/proc/cpuinfo"), "model name"));
    m.put("memory", firstLine(Path.of("/proc/meminfo"), "MemTotal"));
    m.put("jvm", System.getProperty("java.vm.vendor") + " " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    m.put("maxHeapMiB", Runtime.getRuntime().maxMemory() >> 20);
    return m;
  }

  static String filesystemOf(Path dir) {
    try {
      return Files.getFileStore(dir).type() + " (" + Files.getFileStore(dir).name() + ")";
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static String firstLine(Path file, String prefix) {
    try {
      for (String line : Files.readAllLines(file)) {
        if (line.startsWith(prefix)) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException e) {
      // not Linux
    }
    return "unknown";
  }
}
