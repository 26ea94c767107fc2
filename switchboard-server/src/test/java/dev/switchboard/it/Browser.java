package dev.switchboard.it;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven by Selenium (never a downloaded browser: Selenium Manager cannot download
 * here). Every wait is bounded; screenshots go to {@code target/screenshots/<server>-<name>.png}.
 * <p>
 * Chromium processes are pooled for the test JVM (a start costs ~3 s on this 2-core machine, and a suite opens
 * ~15 browsers): {@link #close()} returns it to the pool as a new browser would be — on {@code about:blank}, one
 * window, no cookies, no storage, cache or service worker of the origins it opened. All quit when the JVM exits.
 */
final class Browser implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(15);

    private static final Deque<Chromium> IDLE = new ArrayDeque<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            synchronized (IDLE) {
                IDLE.forEach(Chromium::quit);
                IDLE.clear();
            }
        }, "browser-pool-quit"));
    }

    final WebDriver driver;
    private final Chromium chromium;
    private final Set<String> origins = new HashSet<>();

    Browser() throws IOException {
        Chromium idle;
        synchronized (IDLE) {
            idle = IDLE.poll();
        }
        chromium = idle != null ? idle : new Chromium();
        driver = chromium.driver;
        driver.manage().timeouts().scriptTimeout(WAIT);
    }

    Browser open(String url) {
        URI uri = URI.create(url);
        origins.add(uri.getScheme() + "://" + uri.getAuthority());
        driver.get(url);
        return this;
    }

    WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    /** Waits (bounded) until {@code condition} is true; the message says what was expected. */
    <T> T until(String what, ExpectedCondition<T> condition) {
        return new WebDriverWait(driver, WAIT).withMessage(what).until(condition);
    }

    void screenshot(String name) throws IOException {
        Path dir = Path.of("target", "screenshots");
        Files.createDirectories(dir);
        byte[] png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
        Files.write(dir.resolve(System.getProperty("arquillian.launch", "server") + "-" + name + ".png"), png);
    }

    /**
     * Leaves the page (its sockets close as a closed tab's do), clears what the origins it opened stored, and returns
     * the browser to the pool; a browser that cannot be cleared is quit instead.
     */
    @Override
    public void close() {
        try {
            String first = driver.getWindowHandles().iterator().next();
            for (String handle : driver.getWindowHandles()) {
                if (!handle.equals(first)) {
                    driver.switchTo().window(handle).close();
                }
            }
            driver.switchTo().window(first).get("about:blank");
            ChromeDriver chrome = (ChromeDriver) driver;
            chrome.executeCdpCommand("Network.clearBrowserCookies", Map.of());
            chrome.executeCdpCommand("Network.clearBrowserCache", Map.of());
            for (String origin : origins) {
                chrome.executeCdpCommand("Storage.clearDataForOrigin", Map.of("origin", origin, "storageTypes", "all"));
            }
        } catch (RuntimeException e) {
            System.out.println("[browser] could not clear a browser, quitting it: " + e);
            chromium.quit();
            return;
        }
        synchronized (IDLE) {
            IDLE.push(chromium);
        }
    }

    /** One Chromium and its driver, with a profile directory of its own. */
    private static final class Chromium {

        final WebDriver driver;
        private final Path profile;

        Chromium() throws IOException {
            profile = Files.createTempDirectory("switchboard-chromium");
            ChromeOptions options = new ChromeOptions();
            options.setBinary(System.getProperty("chromium.binary", "/usr/bin/chromium"));
            options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1280,860", "--user-data-dir=" + profile);
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(Path.of(System.getProperty("chromedriver.binary", "/usr/bin/chromedriver")).toFile())
                    .usingAnyFreePort().build();
            driver = new ChromeDriver(service, options);
        }

        /** Quits the browser and deletes its profile (a few MB in the temporary directory per browser otherwise). */
        void quit() {
            try {
                driver.quit();
            } catch (RuntimeException e) {
                System.out.println("[browser] quit failed: " + e);
            }
            try (java.util.stream.Stream<Path> files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException e) {
                System.out.println("[browser] profile " + profile + " left behind: " + e);
            }
        }
    }
}
