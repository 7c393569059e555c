package io.flagledger.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.restassured.http.ContentType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real browser (Debian's Chromium, headless), against the running stack: a requester files a
 * production change, two approvers sign in through Keycloak (authorization code flow with PKCE) and approve it,
 * approval-service applies it and the page shows it. The requester sees no approve button on their own request,
 * and a crafted POST to approve it is refused. Screenshots of the main pages go to {@code docs/console/}.
 */
class ConsoleBrowserIT {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    private final List<WebDriver> drivers = new java.util.ArrayList<>();

    @AfterEach
    void quit() {
        drivers.forEach(WebDriver::quit);
    }

    /**
     * A missing browser fails the test with the install command: a silent skip would let the console go untested.
     * Only an explicit {@code FLAGLEDGER_SKIP_BROWSER_TESTS=1} skips it.
     */
    static void requireBrowser() {
        if (Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER)) {
            return;
        }
        String missing = "Chromium and chromedriver (" + CHROMIUM + ", " + CHROMEDRIVER + ") are not installed";
        assumeTrue(!"1".equals(System.getenv("FLAGLEDGER_SKIP_BROWSER_TESTS")),
                missing + "; skipped because FLAGLEDGER_SKIP_BROWSER_TESTS=1");
        fail(missing + ". Install them with: sudo apt-get install chromium chromium-driver (./test does it), "
                + "or set FLAGLEDGER_SKIP_BROWSER_TESTS=1 to skip the browser test knowingly");
    }

    @Test
    void twoApproversApproveInTheBrowserAndTheRequesterCannot() throws Exception {
        requireBrowser();
        Stack stack = ApprovalStack.get();
        String console = stack.url("approval-service") + "/console";
        String flag = ApprovedChangeReachesFlagApiIT.newFlag(stack);
        String id = ApprovedChangeReachesFlagApiIT.file(stack, flag, "CHG-4711");

        WebDriver approver1 = signIn(stack, console, "approver1");
        approver1.get(console);
        assertThat(approver1.findElement(By.tagName("main")).getText()).contains("shop/" + flag);
        screenshot(approver1, "inbox");
        approver1.findElement(By.linkText("shop/" + flag)).click();
        String page = approver1.findElement(By.tagName("main")).getText();
        assertThat(page).contains("production", "Canary 10% for the new checkout", "CHG-4711", "0 of 2",
                "fallthrough.rollout", "\"weight\":10000");
        assertThat(approver1.findElement(By.id("requester")).getText()).isNotBlank();
        screenshot(approver1, "request");
        approver1.findElement(By.id("comment")).sendKeys("Checked with the payments team");
        approver1.findElement(By.id("approve")).click();
        wait(approver1).until(ExpectedConditions.textToBePresentInElementLocated(By.id("approvals"), "1 of 2"));
        assertThat(approver1.findElements(By.id("approve"))).as("no second approval by the same person").isEmpty();

        WebDriver requester = signIn(stack, console, "requester");
        requester.get(console + "/requests/" + id);
        assertThat(requester.findElement(By.id("state")).getText()).isEqualTo("pending");
        assertThat(requester.findElements(By.id("approve"))).as("no approve button on one's own request").isEmpty();
        assertCraftedApprovalRefused(requester, console, id);

        WebDriver approver2 = signIn(stack, console, "approver2");
        approver2.get(console + "/requests/" + id);
        approver2.findElement(By.id("approve")).click();
        new WebDriverWait(approver2, Duration.ofSeconds(90)).pollingEvery(Duration.ofSeconds(1)).until(d -> {
            d.navigate().refresh();
            return "applied".equals(d.findElement(By.id("state")).getText());
        });
        assertThat(approver2.findElement(By.tagName("main")).getText()).contains("applied as version 1");
        screenshot(approver2, "request-applied");

        approver2.get(console + "/history?state=applied");
        assertThat(approver2.findElement(By.tagName("main")).getText()).contains("shop/" + flag);
        screenshot(approver2, "history");
        // the timeline reads the ledger as the signed-in person: an approver without audit-reader is told so
        approver2.get(console + "/flags/shop/" + flag);
        assertThat(approver2.findElement(By.id("ledger-needs-role")).getText()).contains("audit-reader");
        WebDriver auditor = signIn(stack, console, "auditor");
        auditor.get(console + "/flags/shop/" + flag);
        new WebDriverWait(auditor, Duration.ofSeconds(60)).pollingEvery(Duration.ofSeconds(1)).until(d -> {
            d.navigate().refresh();
            return d.findElement(By.tagName("main")).getText().contains("flag.environment.updated");
        });
        screenshot(auditor, "flag-timeline");

        given().baseUri(stack.url("flag-api")).auth().oauth2(stack.token("viewer")).contentType(ContentType.JSON)
                .get("/api/v1/projects/shop/flags/{f}", flag).then().statusCode(200)
                .body("environments.find { it.environment == 'production' }.config.enabled", org.hamcrest.Matchers.equalTo(true));
    }

    /** The requester's own session, with and without a valid CSRF token: neither approves. */
    private void assertCraftedApprovalRefused(WebDriver requester, String console, String id) throws Exception {
        String cookies = requester.manage().getCookies().stream().map(c -> c.getName() + "=" + c.getValue())
                .collect(Collectors.joining("; "));
        Cookie csrf = requester.manage().getCookieNamed("csrf-token");
        HttpClient http = HttpClient.newHttpClient();
        URI approve = URI.create(console + "/requests/" + id + "/approve");
        HttpResponse<String> noToken = http.send(HttpRequest.newBuilder(approve).header("Cookie", cookies)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("revision=1&comment=mine")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(noToken.statusCode()).as("POST without CSRF token").isIn(400, 403);
        if (csrf != null) {
            HttpResponse<String> withToken = http.send(HttpRequest.newBuilder(approve).header("Cookie", cookies)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("csrf-token=" + csrf.getValue() + "&revision=1&comment=mine")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(withToken.statusCode()).as("POST with the requester's own CSRF token").isEqualTo(403);
        }
        requester.navigate().refresh();
        assertThat(requester.findElement(By.id("approvals")).getText()).startsWith("1 of 2");
    }

    private WebDriver signIn(Stack stack, String console, String user) throws IOException {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--window-size=1280,900", "--user-data-dir=" + Files.createTempDirectory("flagledger-chromium-"));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        WebDriver driver = new ChromeDriver(service, options);
        drivers.add(driver);
        driver.get(console);
        wait(driver).until(ExpectedConditions.presenceOfElementLocated(By.id("username")));
        assertThat(driver.getCurrentUrl()).as("Keycloak login with PKCE").contains("code_challenge_method=S256");
        driver.findElement(By.id("username")).sendKeys(user);
        driver.findElement(By.id("password")).sendKeys(stack.realm().password(user));
        driver.findElement(By.id("kc-login")).click();
        wait(driver).until(ExpectedConditions.presenceOfElementLocated(By.id("signed-in-as")));
        return driver;
    }

    private static WebDriverWait wait(WebDriver driver) {
        return new WebDriverWait(driver, Duration.ofSeconds(30));
    }

    private static void screenshot(WebDriver driver, String name) {
        Path root = Path.of(System.getProperty("flagledger.root", "..")).toAbsolutePath().normalize();
        try {
            Path dir = Files.createDirectories(root.resolve("docs/console"));
            Path shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath();
            Files.copy(shot, dir.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
