package io.factum.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.api.EventData;
import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import io.factum.embedded.EmbeddedEventStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web UI end to end in a real headless Chromium against a real server: an event appended
 * through the API shows up in the live tail, its stream page shows it, and every page renders.
 * Screenshots go to {@code target/ui-screenshots}; with {@code -Dui.screenshots.update=true} they
 * also replace the ones in {@code docs/images} that the README shows.
 *
 * <p>Needs Debian's {@code chromium} and {@code chromium-driver} ({@code .ci/run} installs them). A
 * machine without them fails this test, with a message saying so: it is never skipped.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class WebUiBrowserTest {

  private static final Path CHROMIUM = Path.of(System.getProperty("ui.chromium", "/usr/bin/chromium"));
  private static final Path CHROMEDRIVER = Path.of(System.getProperty("ui.chromedriver", "/usr/bin/chromedriver"));

  private EventStore store;
  private FactumServer server;
  private WebDriver browser;
  private WebDriverWait wait;
  private Http http;

  @BeforeAll
  void start(@TempDir Path dir) throws IOException {
    assertThat(Files.isExecutable(CHROMIUM)).as("headless Chromium at " + CHROMIUM + ": install it with apt-get install chromium chromium-driver").isTrue();
    assertThat(Files.isExecutable(CHROMEDRIVER)).as("ChromeDriver at " + CHROMEDRIVER + ": install it with apt-get install chromium-driver").isTrue();
    store = EmbeddedEventStore.open(dir.resolve("store"));
    store.append("Order-1001", ExpectedVersion.NO_STREAM,
        EventData.json("OrderPlaced", "{\"order_id\":\"1001\",\"customer_id\":\"cust-7\",\"lines\":[{\"sku\":\"BOOK-1\",\"quantity\":2,\"price_cents\":1500}],\"total_cents\":3000,\"currency\":\"EUR\"}")
            .withMetadata("{\"user_id\":\"alice\",\"correlation_id\":\"c-1001\"}"),
        EventData.json("OrderPaid", "{\"amount_cents\":3000,\"payment_id\":\"pay-1001\"}").withMetadata("{\"user_id\":\"alice\"}"));
    store.append("Order-1002", ExpectedVersion.NO_STREAM, EventData.json("OrderPlaced", "{\"order_id\":\"1002\",\"total_cents\":900,\"currency\":\"USD\"}"));
    store.append("Invoice-77", ExpectedVersion.NO_STREAM, EventData.json("InvoiceSent", "{\"invoice\":\"77\",\"order_id\":\"1001\"}"));
    store.checkpoints().save("billing-emails", 2);
    server = FactumServer.start(store, ServerOptions.DEFAULT.withPort(0).withStorageName("embedded (./data)"));
    http = new Http(server.uri());

    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
        "--window-size=1280,860", "--user-data-dir=" + Files.createTempDirectory(dir, "chromium"));
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
    browser = new ChromeDriver(service, options);
    wait = new WebDriverWait(browser, Duration.ofSeconds(30));
  }

  @AfterAll
  void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (server != null) {
      server.close();
    }
    if (store != null) {
      store.close();
    }
  }

  private void open(String hash) {
    browser.get(server.uri() + "ui/" + hash);
  }

  private void screenshot(String name) throws IOException {
    Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
    Path target = Path.of("target", "ui-screenshots");
    Files.createDirectories(target);
    Files.copy(shot, target.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    if (Boolean.getBoolean("ui.screenshots.update")) {
      Path docs = Path.of("..", "docs", "images");
      Files.createDirectories(docs);
      Files.copy(shot, docs.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  @Test
  void anAppendShowsUpInTheLiveTailAndItsStreamPageShowsIt() throws IOException {
    open("#/tail");
    wait.until(ExpectedConditions.textToBe(By.id("tail-state"), "live"));

    Http.Reply appended = http.post("/streams/Order-1003",
        "{\"event_type\":\"OrderPlaced\",\"data\":{\"order_id\":\"1003\",\"customer_id\":\"cust-9\",\"total_cents\":4200,\"currency\":\"EUR\"},"
            + "\"metadata\":{\"user_id\":\"bob\"}}");
    assertThat(appended.status()).isEqualTo(201);
    http.post("/streams/Order-1001", "{\"event_type\":\"OrderShipped\",\"data\":{\"carrier\":\"DHL\",\"tracking\":\"JD0001\"}}");

    WebElement row = wait.until(ExpectedConditions.presenceOfElementLocated(By.xpath("//*[@data-test='tail-event'][contains(., 'Order-1003')]")));
    assertThat(row.getText()).contains("OrderPlaced").contains("#5");
    wait.until(d -> d.findElements(By.cssSelector("[data-test=tail-event]")).size() == 2);
    assertThat(browser.findElement(By.id("tail-count")).getText()).isEqualTo("2 events");
    screenshot("ui-tail.png");

    row.findElement(By.cssSelector("a.stream")).click();
    wait.until(ExpectedConditions.textToBe(By.id("stream-title"), "Order-1003"));
    WebElement event = wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("[data-test=event]")));
    assertThat(event.getText()).contains("OrderPlaced").contains("version 1").contains("position 5").contains("\"total_cents\": 4200")
        .contains("\"user_id\": \"bob\"");
  }

  @Test
  void theStreamsPageListsAndSearchesStreamsAndOpensOne() throws IOException {
    open("#/streams");
    wait.until(d -> d.findElements(By.cssSelector("[data-test=stream-row]")).size() >= 3);
    screenshot("ui-streams.png");

    WebElement search = browser.findElement(By.id("stream-search"));
    search.clear();
    search.sendKeys("Invoice-\n");
    wait.until(d -> {
      List<WebElement> rows = d.findElements(By.cssSelector("[data-test=stream-row]"));
      return rows.size() == 1 && rows.get(0).getText().contains("Invoice-77");
    });

    open("#/stream/Order-1001?order=oldest");
    wait.until(d -> d.findElements(By.cssSelector("[data-test=event]")).size() >= 2);
    List<WebElement> events = browser.findElements(By.cssSelector("[data-test=event]"));
    assertThat(events.get(0).getText()).contains("OrderPlaced").contains("\"customer_id\": \"cust-7\"").contains("\"correlation_id\": \"c-1001\"");
    assertThat(events.get(1).getText()).contains("OrderPaid").contains("version 2");
    screenshot("ui-stream.png");

    open("#/stream/Nope-1");
    assertThat(wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("[data-test=error]"))).getText()).contains("does not exist");
  }

  @Test
  void theProjectionsAndStatsPagesShowTheServerState() throws IOException {
    open("#/projections");
    WebElement row = wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("[data-test=projection-row]")));
    assertThat(row.getText()).contains("$streams").contains("running");
    assertThat(browser.findElement(By.id("subscriptions-table")).getText()).contains("billing-emails");
    screenshot("ui-projections.png");

    open("#/stats");
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("stat-events")));
    long head = store.headPosition();
    assertThat(browser.findElement(By.id("stat-events")).getText()).isEqualTo(Long.toString(head));
    assertThat(browser.findElement(By.id("event-types-table")).getText()).contains("OrderPlaced");
    assertThat(browser.findElement(By.id("categories-table")).getText()).contains("Order").contains("Invoice");
    screenshot("ui-stats.png");
  }
}
