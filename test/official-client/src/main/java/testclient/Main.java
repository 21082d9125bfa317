package testclient;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import no.digipost.signature.client.ClientConfiguration;
import no.digipost.signature.client.ServiceEnvironment;
import no.digipost.signature.client.core.DocumentType;
import no.digipost.signature.client.core.PollingQueue;
import no.digipost.signature.client.core.ResponseInputStream;
import no.digipost.signature.client.core.Sender;
import no.digipost.signature.client.direct.DirectClient;
import no.digipost.signature.client.direct.DirectDocument;
import no.digipost.signature.client.direct.DirectJob;
import no.digipost.signature.client.direct.DirectJobResponse;
import no.digipost.signature.client.direct.DirectJobStatusResponse;
import no.digipost.signature.client.direct.DirectSigner;
import no.digipost.signature.client.direct.DirectSignerResponse;
import no.digipost.signature.client.direct.ExitUrls;
import no.digipost.signature.client.direct.StatusReference;
import no.digipost.signature.client.direct.StatusRetrievalMethod;
import no.digipost.signature.client.portal.NotificationsUsingLookup;
import no.digipost.signature.client.portal.PortalClient;
import no.digipost.signature.client.portal.PortalDocument;
import no.digipost.signature.client.portal.PortalJob;
import no.digipost.signature.client.portal.PortalJobResponse;
import no.digipost.signature.client.portal.PortalJobStatusChanged;
import no.digipost.signature.client.portal.PortalSigner;
import no.digipost.signature.client.security.KeyStoreConfig;

/**
 * The official Java client (signature-api-client-java 7.0.4) driven over stdin by
 * test/xml-api/official-client.test.ts: one command per line (fields separated by TAB), one JSON
 * answer per line on stdout. Exceptions come back as {"error": "<simple class name>", ...}, so the
 * test sees the client's own typed exceptions. Nothing here talks HTTP itself: every request is
 * the client's.
 *
 * Arguments: serviceUrl caDirectory serverOrganisationNumber bundleDumpDirectory
 */
public class Main {
    private static String serviceUrl, caDir, serverOrg;
    private static Path dumpDir;
    private static DirectClient direct;
    private static PortalClient portal;
    private static String senderOrg;
    private static DirectJobResponse lastDirectJob;
    private static DirectJobStatusResponse lastDirectStatus;
    private static PortalJobStatusChanged lastPortalChange;
    private static final Map<Long, PortalJobResponse> portalJobs = new HashMap<>();

    public static void main(String[] args) throws Exception {
        serviceUrl = args[0];
        caDir = args[1];
        serverOrg = args[2];
        dumpDir = Path.of(args[3]);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        System.out.println("{\"ready\":true}");
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isBlank()) continue;
            String[] f = line.split("\t", -1);
            String answer;
            try {
                answer = run(f);
            } catch (Exception e) {
                answer = "{\"error\":" + q(e.getClass().getSimpleName()) + ",\"message\":" + q(String.valueOf(e.getMessage())) + "}";
            }
            System.out.println(answer);
            System.out.flush();
        }
    }

    private static String run(String[] f) throws Exception {
        switch (f[0]) {
            case "login": return login(f[1], f[2], f[3]);
            case "direct-create": return directCreate(f);
            case "direct-new-redirect": {
                DirectSignerResponse s = direct.requestNewRedirectUrl(lastDirectJob.getSigners().get(Integer.parseInt(f[1])));
                return "{\"redirectUrl\":" + q(s.getRedirectUrl().toString()) + "}";
            }
            case "direct-status": {
                lastDirectStatus = direct.getStatus(StatusReference.ofUrl(URI.create(f[1])).withStatusQueryToken(f[2]));
                return directStatusJson(lastDirectStatus, false);
            }
            case "direct-poll": {
                DirectJobStatusResponse r = f.length > 1 && !f[1].isEmpty()
                        ? direct.getStatusChange(new Sender(senderOrg, PollingQueue.of(f[1])))
                        : direct.getStatusChange();
                lastDirectStatus = r;
                return directStatusJson(r, true);
            }
            case "direct-download": return download(true, Path.of(f[1]));
            case "direct-confirm": direct.confirm(lastDirectStatus); return "{\"ok\":true}";
            case "direct-delete": direct.deleteDocuments(lastDirectStatus.getDeleteDocumentsUrl()); return "{\"ok\":true}";
            case "portal-create": return portalCreate(f);
            case "portal-poll": {
                PortalJobStatusChanged c = f.length > 1 && !f[1].isEmpty()
                        ? portal.getStatusChange(new Sender(senderOrg, PollingQueue.of(f[1])))
                        : portal.getStatusChange();
                lastPortalChange = c;
                return portalChangeJson(c);
            }
            case "portal-confirm": portal.confirm(lastPortalChange); return "{\"ok\":true}";
            case "portal-download": return download(false, Path.of(f[1]));
            case "portal-delete": portal.deleteDocuments(lastPortalChange.getDeleteDocumentsUrl()); return "{\"ok\":true}";
            case "portal-cancel": portal.cancel(portalJobs.get(Long.parseLong(f[1]))); return "{\"ok\":true}";
            default: throw new IllegalArgumentException("unknown command " + f[0]);
        }
    }

    /** Switches to the enterprise certificate in a PKCS#12 file, sending for `sender`. */
    private static String login(String p12, String password, String sender) throws Exception {
        senderOrg = sender;
        KeyStoreConfig keys;
        try (InputStream in = Files.newInputStream(Path.of(p12))) {
            keys = KeyStoreConfig.fromOrganizationCertificate(in, password);
        }
        Files.createDirectories(dumpDir);
        ClientConfiguration config = ClientConfiguration.builder(keys)
                .serviceEnvironment(ServiceEnvironment.DIFITEST.withServiceUrl(URI.create(serviceUrl)).withCertificates(caDir))
                .serverOrganizationNumber(serverOrg)
                .defaultSender(new Sender(sender))
                .enableDocumentBundleDiskDump(dumpDir)
                .build();
        direct = new DirectClient(config);
        portal = new PortalClient(config);
        return "{\"ok\":true}";
    }

    /** direct-create, title, pdf path, reference, POLLING|-, queue|-, signer... (pin or custom:id) */
    private static String directCreate(String[] f) throws Exception {
        byte[] pdf = Files.readAllBytes(Path.of(f[2]));
        List<DirectSigner> signers = new ArrayList<>();
        for (int i = 6; i < f.length; i++) {
            signers.add(f[i].startsWith("custom:")
                    ? DirectSigner.withCustomIdentifier(f[i].substring(7)).build()
                    : DirectSigner.withPersonalIdentificationNumber(f[i]).build());
        }
        DirectJob.Builder job = DirectJob.builder(f[1], List.of(DirectDocument.builder("Contract", pdf).type(DocumentType.PDF).build()), signers,
                ExitUrls.of(URI.create("https://sender.example/ok"), URI.create("https://sender.example/rejected"), URI.create("https://sender.example/error")))
                .withReference(f[3]);
        if (f[4].equals("POLLING")) job.retrieveStatusBy(StatusRetrievalMethod.POLLING);
        if (!f[5].equals("-")) job.withSender(new Sender(senderOrg, PollingQueue.of(f[5])));
        lastDirectJob = direct.create(job.build());
        StringBuilder s = new StringBuilder();
        for (DirectSignerResponse r : lastDirectJob.getSigners()) {
            if (s.length() > 0) s.append(',');
            s.append("{\"href\":").append(q(r.getSignerUrl().toString()))
             .append(",\"redirectUrl\":").append(q(r.getRedirectUrl().toString()))
             .append(",\"identifier\":").append(q(r.isIdentifiedByPersonalIdentificationNumber() ? r.getPersonalIdentificationNumber() : r.getCustomIdentifier()))
             .append('}');
        }
        return "{\"id\":" + lastDirectJob.getSignatureJobId() + ",\"reference\":" + q(lastDirectJob.getReference())
                + ",\"statusUrl\":" + q(lastDirectJob.getStatusUrl().toString()) + ",\"signers\":[" + s + "]}";
    }

    /** portal-create, title, pdf path, reference, queue|-, signer... (pin@order or email:addr@order) */
    private static String portalCreate(String[] f) throws Exception {
        byte[] pdf = Files.readAllBytes(Path.of(f[2]));
        List<PortalSigner> signers = new ArrayList<>();
        for (int i = 5; i < f.length; i++) {
            String[] spec = f[i].split("@");
            PortalSigner.Builder b = spec[0].startsWith("email:")
                    ? PortalSigner.identifiedByEmail(spec[0].substring(6))
                    : PortalSigner.identifiedByPersonalIdentificationNumber(spec[0], NotificationsUsingLookup.EMAIL_ONLY);
            signers.add(b.withOrder(Integer.parseInt(spec[1])).build());
        }
        PortalJob.Builder job = PortalJob.builder(f[1], List.of(PortalDocument.builder("Contract", pdf).type(DocumentType.PDF).build()), signers)
                .withReference(f[3]);
        if (!f[4].equals("-")) job.withSender(new Sender(senderOrg, PollingQueue.of(f[4])));
        PortalJobResponse r = portal.create(job.build());
        portalJobs.put(r.getSignatureJobId(), r);
        return "{\"id\":" + r.getSignatureJobId() + ",\"reference\":" + q(r.getReference())
                + ",\"cancellationUrl\":" + q(r.getCancellationUrl().getUrl().toString()) + "}";
    }

    private static String directStatusJson(DirectJobStatusResponse r, boolean polled) {
        if (r.getStatus() == no.digipost.signature.client.direct.DirectJobStatus.NO_CHANGES) {
            return "{\"empty\":true,\"nextPermittedPollTime\":" + q(String.valueOf(r.getNextPermittedPollTime())) + "}";
        }
        StringBuilder s = new StringBuilder();
        for (no.digipost.signature.client.direct.Signature sig : r.getSignatures()) {
            if (s.length() > 0) s.append(',');
            s.append("{\"signer\":").append(q(sig.getSigner())).append(",\"status\":").append(q(String.valueOf(sig.getStatus())))
             .append(",\"since\":").append(q(String.valueOf(sig.getStatusDateTime())))
             .append(",\"xades\":").append(sig.getxAdESUrl() != null).append('}');
        }
        return "{\"id\":" + r.getSignatureJobId() + ",\"reference\":" + q(r.getReference()) + ",\"status\":" + q(String.valueOf(r.getStatus()))
                + ",\"pades\":" + r.isPAdESAvailable() + ",\"deletable\":" + (r.getDeleteDocumentsUrl() != null)
                + (polled ? ",\"nextPermittedPollTime\":" + q(String.valueOf(r.getNextPermittedPollTime())) : "") + ",\"signatures\":[" + s + "]}";
    }

    private static String portalChangeJson(PortalJobStatusChanged c) {
        if (c.getStatus() == no.digipost.signature.client.portal.PortalJobStatus.NO_CHANGES) {
            return "{\"empty\":true,\"nextPermittedPollTime\":" + q(String.valueOf(c.getNextPermittedPollTime())) + "}";
        }
        StringBuilder s = new StringBuilder();
        for (no.digipost.signature.client.portal.Signature sig : c.getSignatures()) {
            if (s.length() > 0) s.append(',');
            s.append("{\"signer\":").append(q(sig.getSigner())).append(",\"status\":").append(q(String.valueOf(sig.getStatus())))
             .append(",\"since\":").append(q(String.valueOf(sig.getStatusDateTime())))
             .append(",\"xades\":").append(sig.getxAdESUrl() != null).append('}');
        }
        return "{\"id\":" + c.getSignatureJobId() + ",\"reference\":" + q(c.getReference()) + ",\"status\":" + q(String.valueOf(c.getStatus()))
                + ",\"pades\":" + c.isPAdESAvailable() + ",\"cancellable\":" + (c.getCancellationUrl() != null)
                + ",\"deletable\":" + (c.getDeleteDocumentsUrl() != null)
                + ",\"nextPermittedPollTime\":" + q(String.valueOf(c.getNextPermittedPollTime())) + ",\"signatures\":[" + s + "]}";
    }

    /** Every XAdES and the PAdES of the last status (direct) or change (portal) into `dir`. */
    private static String download(boolean isDirect, Path dir) throws Exception {
        Files.createDirectories(dir);
        List<String> files = new ArrayList<>();
        int i = 0;
        if (isDirect) {
            for (no.digipost.signature.client.direct.Signature sig : lastDirectStatus.getSignatures()) {
                if (sig.getxAdESUrl() == null) continue;
                try (ResponseInputStream in = direct.getXAdES(sig.getxAdESUrl())) { files.add(save(in, dir.resolve("xades-" + i++ + ".xml"))); }
            }
            try (ResponseInputStream in = direct.getPAdES(lastDirectStatus.getpAdESUrl())) { files.add(save(in, dir.resolve("pades.pdf"))); }
        } else {
            for (no.digipost.signature.client.portal.Signature sig : lastPortalChange.getSignatures()) {
                if (sig.getxAdESUrl() == null) continue;
                try (ResponseInputStream in = portal.getXAdES(sig.getxAdESUrl())) { files.add(save(in, dir.resolve("xades-" + i++ + ".xml"))); }
            }
            try (ResponseInputStream in = portal.getPAdES(lastPortalChange.getpAdESUrl())) { files.add(save(in, dir.resolve("pades.pdf"))); }
        }
        StringBuilder s = new StringBuilder();
        for (String file : files) { if (s.length() > 0) s.append(','); s.append(q(file)); }
        return "{\"files\":[" + s + "]}";
    }

    private static String save(InputStream in, Path file) throws Exception {
        Files.copy(in, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return file.toString();
    }

    private static String q(String s) {
        if (s == null) return "null";
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.append('"').toString();
    }
}
