package io.entroca.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * deploy/ as far as it can be checked without Docker or a cluster (neither runs on the build
 * machines): every manifest parses, the configuration they carry is one the server accepts and
 * agrees with the defaults, and every port, name, label and path agrees across the files.
 */
class DeployManifestsTest {
    private static final Path DEPLOY = Path.of("deploy");
    private static final String CONFIG_PATH = "/etc/entroca/entroca.yaml";

    @TempDir
    Path tmp;

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object node, String key) {
        Object value = ((Map<String, Object>) node).get(key);
        assertNotNull(value, key + " missing");
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Object node, String key) {
        Object value = ((Map<String, Object>) node).get(key);
        assertNotNull(value, key + " missing");
        return (List<Map<String, Object>>) value;
    }

    private static Map<String, Map<String, Object>> manifests() throws IOException {
        Map<String, Map<String, Object>> byKind = new java.util.HashMap<>();
        try (Stream<Path> files = Files.list(DEPLOY.resolve("kubernetes"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                try (Reader reader = Files.newBufferedReader(file)) {
                    for (Object document : new Yaml().loadAll(reader)) {
                        @SuppressWarnings("unchecked")
                        Map<String, Object> manifest = (Map<String, Object>) document;
                        assertNotNull(manifest.get("apiVersion"), file + ": apiVersion");
                        byKind.put((String) manifest.get("kind"), manifest);
                    }
                }
            }
        }
        return byKind;
    }

    private ServerConfig load(String yaml, String name) throws IOException {
        Path file = tmp.resolve(name);
        Files.writeString(file, yaml);
        return ServerConfig.load(file); // rejects unknown keys and bad values
    }

    private static Set<Integer> ports(ServerConfig config) {
        Set<Integer> ports = new TreeSet<>();
        for (int i = 0; i < config.ports(); i++) {
            ports.add(config.basePort() + i);
        }
        ports.add(config.adminPort());
        return ports;
    }

    private static long bytes(String quantity) {
        Matcher m = Pattern.compile("(\\d+)(Ki|Mi|Gi)?").matcher(quantity);
        assertTrue(m.matches(), quantity);
        long n = Long.parseLong(m.group(1));
        return m.group(2) == null ? n : n << switch (m.group(2)) {
            case "Ki" -> 10;
            case "Mi" -> 20;
            default -> 30;
        };
    }

    @Test
    void kubernetesManifestsAgreeWithEachOtherAndWithTheConfiguration() throws IOException {
        Map<String, Map<String, Object>> k8s = manifests();
        Map<String, Object> configMap = k8s.get("ConfigMap");
        Map<String, Object> service = k8s.get("Service");
        Map<String, Object> statefulSet = k8s.get("StatefulSet");
        Map<String, Object> pdb = k8s.get("PodDisruptionBudget");
        assertNotNull(configMap);
        assertNotNull(service);
        assertNotNull(statefulSet);
        assertNotNull(pdb);

        ServerConfig config = load((String) map(configMap, "data").get("entroca.yaml"), "configmap.yaml");
        assertEquals(ServerConfig.KEYS.get("entroca.base-port"), String.valueOf(config.basePort()), "the default base port");
        assertEquals(ServerConfig.KEYS.get("entroca.ports"), String.valueOf(config.ports()), "the default port count");
        assertEquals(ServerConfig.KEYS.get("entroca.admin-port"), String.valueOf(config.adminPort()), "the default admin port");
        assertEquals("0.0.0.0", config.bind().getHostAddress(), "a pod listens beyond loopback");
        assertEquals("0.0.0.0", config.adminBind().getHostAddress(), "probes and Prometheus reach the admin port");
        assertEquals(load(Files.readString(DEPLOY.resolve("entroca.yaml")), "image.yaml").toString(), config.toString(),
                "the image's default file and the ConfigMap say the same");

        // The headless Service exposes every data port and the admin port, by name.
        Map<String, Object> spec = map(service, "spec");
        assertEquals("None", spec.get("clusterIP"), "headless");
        Set<Integer> servicePorts = new TreeSet<>();
        Map<Integer, String> targetByPort = new java.util.HashMap<>();
        for (Map<String, Object> port : list(spec, "ports")) {
            servicePorts.add((Integer) port.get("port"));
            targetByPort.put((Integer) port.get("port"), (String) port.get("targetPort"));
        }
        assertEquals(ports(config), servicePorts);
        Map<String, Object> labels = map(map(map(statefulSet, "spec"), "template"), "metadata");
        Map<String, Object> podLabels = map(labels, "labels");
        assertEquals(podLabels, map(spec, "selector"), "the Service selects the pods");

        // The StatefulSet: governed by that Service, same ports, probes on /health, resources.
        Map<String, Object> setSpec = map(statefulSet, "spec");
        assertEquals(map(service, "metadata").get("name"), setSpec.get("serviceName"));
        assertEquals(podLabels, map(map(setSpec, "selector"), "matchLabels"));
        Map<String, Object> podSpec = map(map(setSpec, "template"), "spec");
        assertEquals(Boolean.TRUE, map(podSpec, "securityContext").get("runAsNonRoot"));
        Map<String, Object> container = list(podSpec, "containers").getFirst();
        Map<String, Integer> containerPorts = new java.util.HashMap<>();
        for (Map<String, Object> port : list(container, "ports")) {
            containerPorts.put((String) port.get("name"), (Integer) port.get("containerPort"));
        }
        assertEquals(ports(config), new TreeSet<>(containerPorts.values()));
        targetByPort.forEach((port, target) -> assertEquals(port, containerPorts.get(target), "targetPort " + target));
        for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
            Map<String, Object> get = map(map(container, probe), "httpGet");
            assertEquals("/health", get.get("path"), probe);
            assertEquals(config.adminPort(), containerPorts.get((String) get.get("port")), probe + " on the admin port");
        }
        Map<String, Object> requests = map(map(container, "resources"), "requests");
        assertNotNull(requests.get("cpu"));
        assertTrue(bytes((String) requests.get("memory")) >= config.memoryBytes() + (256L << 20) + (128L << 20),
                "the memory request holds the store, the image's 256 MiB heap and the JVM beside them");
        @SuppressWarnings("unchecked")
        List<String> args = (List<String>) container.get("args");
        assertEquals(List.of("serve", "--config", CONFIG_PATH), args);
        String configVolume = null;
        for (Map<String, Object> volume : list(podSpec, "volumes")) {
            if (volume.containsKey("configMap")) {
                assertEquals(map(configMap, "metadata").get("name"), map(volume, "configMap").get("name"));
                configVolume = (String) volume.get("name");
            }
        }
        boolean mounted = false;
        for (Map<String, Object> mount : list(container, "volumeMounts")) {
            mounted |= mount.get("name").equals(configVolume) && (mount.get("mountPath") + "/entroca.yaml").equals(CONFIG_PATH);
        }
        assertTrue(mounted, "the ConfigMap is mounted where the args point");
        assertEquals(String.valueOf(config.adminPort()), map(map(map(setSpec, "template"), "metadata"), "annotations").get("prometheus.io/port"));

        assertEquals(podLabels, map(map(pdb, "spec"), "selector").get("matchLabels"));

        String kustomization = Files.readString(DEPLOY.resolve("kubernetes/kustomization.yaml"));
        try (Stream<Path> files = Files.list(DEPLOY.resolve("kubernetes"))) {
            files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".yaml") && !f.equals("kustomization.yaml"))
                    .forEach(f -> assertTrue(kustomization.contains("- " + f), "kustomization lists " + f));
        }
    }

    @Test
    void dockerfileAndSystemdUnitAgreeWithTheConfiguration() throws IOException {
        ServerConfig config = load(Files.readString(DEPLOY.resolve("entroca.yaml")), "image.yaml");
        String dockerfile = Files.readString(DEPLOY.resolve("Dockerfile"));
        List<String> stages = new ArrayList<>();
        Set<Integer> exposed = new TreeSet<>();
        String user = null;
        for (String line : dockerfile.split("\n")) {
            if (line.startsWith("FROM ")) {
                stages.add(line);
            } else if (line.startsWith("EXPOSE ")) {
                for (String port : line.substring(7).trim().split("\\s+")) {
                    exposed.add(Integer.parseInt(port));
                }
            } else if (line.startsWith("USER ")) {
                user = line.substring(5).trim();
            }
        }
        assertEquals(2, stages.size(), "multi-stage: " + stages);
        assertTrue(stages.get(0).contains("temurin-25") && stages.get(0).contains("maven"), stages.get(0));
        assertTrue(stages.get(1).contains("temurin:25"), stages.get(1));
        assertEquals(ports(config), exposed);
        assertNotNull(user);
        assertFalse(user.startsWith("0") || user.startsWith("root"), "runs as non-root: " + user);
        // The stores live off the heap inside entroca.memory: the heap must be fixed, never a
        // share of the container's memory, which the stores already fill.
        assertTrue(dockerfile.contains("-Xmx256m") && !dockerfile.contains("MaxRAMPercentage"),
                "the image runs a fixed heap");
        List<String> launcherOptions = launcherJvmOptions();
        assertTrue(launcherOptions.contains("-Xmx256m"), "the launcher's options: " + launcherOptions);
        for (String option : launcherOptions) {
            assertTrue(dockerfile.contains(" " + option + " ") || dockerfile.contains("\"" + option + " "),
                    "the image runs the launcher's " + option);
        }
        assertTrue(dockerfile.contains("MALLOC_ARENA_MAX=2"), "the image limits malloc arenas as the launcher does");
        assertTrue(dockerfile.contains("COPY deploy/entroca.yaml " + CONFIG_PATH));
        assertTrue(dockerfile.contains("CMD [\"serve\", \"--config\", \"" + CONFIG_PATH + "\"]"));

        String unit = Files.readString(DEPLOY.resolve("systemd/entroca.service"));
        assertTrue(unit.contains("serve --config " + CONFIG_PATH), "the unit reads the same file");
        for (String option : launcherOptions) {
            assertTrue(unit.contains(" " + option + " "), "the unit runs the launcher's " + option);
        }
        assertTrue(unit.contains("\nEnvironment=MALLOC_ARENA_MAX=2"), "the unit limits malloc arenas as the launcher does");
        for (String option : List.of("NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes",
                "DynamicUser=yes", "CapabilityBoundingSet=", "RestrictAddressFamilies=", "SystemCallFilter=")) {
            assertTrue(unit.contains("\n" + option), "sandboxing: " + option);
        }
        assertFalse(unit.contains("\nMemoryDenyWriteExecute=yes"), "the JIT needs writable code memory");
    }

    /** The JVM options {@code ./entroca serve} gives when the operator names none: its heap, gc and lean lists. */
    private static List<String> launcherJvmOptions() throws IOException {
        String launcher = Files.readString(Path.of("entroca"));
        List<String> options = new ArrayList<>();
        Matcher m = Pattern.compile("\\n\\s*(heap|gc|lean)=\"([^\"]*)\"").matcher(launcher);
        while (m.find()) {
            options.addAll(List.of(m.group(2).trim().split("\\s+")));
        }
        assertEquals(6, options.size(), "the launcher's heap, gc and lean options: " + options);
        return options;
    }
}
