package testdss;

import eu.europa.esig.dss.diagnostic.DiagnosticData;
import eu.europa.esig.dss.diagnostic.TimestampWrapper;
import eu.europa.esig.dss.enumerations.Indication;
import eu.europa.esig.dss.enumerations.SignatureLevel;
import eu.europa.esig.dss.enumerations.SubIndication;
import eu.europa.esig.dss.jaxb.object.Message;
import eu.europa.esig.dss.model.FileDocument;
import eu.europa.esig.dss.simplereport.SimpleReport;
import eu.europa.esig.dss.simplereport.jaxb.XmlTimestamp;
import eu.europa.esig.dss.spi.DSSUtils;
import eu.europa.esig.dss.spi.validation.CommonCertificateVerifier;
import eu.europa.esig.dss.spi.x509.CommonTrustedCertificateSource;
import eu.europa.esig.dss.validation.SignedDocumentValidator;
import eu.europa.esig.dss.validation.reports.Reports;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Validates each file named on the command line with EU DSS (default validation policy), trusting
 * only the root certificates of the PEM file given first. Offline: no CRL, OCSP or AIA fetching,
 * so what DSS accepts rests on the validation data the files embed. Prints one JSON line per file:
 * its signatures with indication, sub-indication, signature level and every time-stamp (type,
 * indication, whether its message imprint is intact), and the file's stand-alone time-stamps.
 */
public final class Judge {
    private static final Pattern PEM_CERTIFICATE =
        Pattern.compile("-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----");

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: Judge <roots.pem> <file>...");
            System.exit(2);
        }
        CommonTrustedCertificateSource trusted = new CommonTrustedCertificateSource();
        String pem = Files.readString(Path.of(args[0]));
        Matcher block = PEM_CERTIFICATE.matcher(pem);
        while (block.find()) trusted.addCertificate(DSSUtils.loadCertificate(block.group().getBytes(StandardCharsets.US_ASCII)));
        if (trusted.getNumberOfCertificates() == 0) throw new IllegalArgumentException("no certificate in " + args[0]);
        CommonCertificateVerifier verifier = new CommonCertificateVerifier();
        verifier.setTrustedCertSources(trusted);
        verifier.setCrlSource(null);
        verifier.setOcspSource(null);
        verifier.setAIASource(null);

        for (int i = 1; i < args.length; i++) {
            File file = new File(args[i]);
            StringBuilder out = new StringBuilder("{\"file\":").append(json(file.getName()));
            try {
                SignedDocumentValidator validator = SignedDocumentValidator.fromDocument(new FileDocument(file));
                validator.setCertificateVerifier(verifier);
                Reports reports = validator.validateDocument();
                SimpleReport simple = reports.getSimpleReport();
                DiagnosticData diagnostic = reports.getDiagnosticData();
                out.append(",\"signatures\":[");
                List<String> ids = simple.getSignatureIdList();
                for (int s = 0; s < ids.size(); s++) {
                    String id = ids.get(s);
                    if (s > 0) out.append(',');
                    SignatureLevel level = simple.getSignatureFormat(id);
                    out.append("{\"id\":").append(json(id))
                        .append(",\"indication\":").append(json(simple.getIndication(id)))
                        .append(",\"subIndication\":").append(json(simple.getSubIndication(id)))
                        .append(",\"level\":").append(json(level == null ? null : level.toString()))
                        .append(",\"errors\":").append(messages(simple.getAdESValidationErrors(id)))
                        .append(",\"timestamps\":[");
                    List<XmlTimestamp> stamps = simple.getSignatureTimestamps(id);
                    for (int t = 0; t < stamps.size(); t++) {
                        if (t > 0) out.append(',');
                        out.append(timestamp(simple, diagnostic, stamps.get(t).getId()));
                    }
                    out.append("]}");
                }
                out.append("],\"timestamps\":[");
                List<String> standalone = simple.getTimestampIdList();
                for (int t = 0; t < standalone.size(); t++) {
                    if (t > 0) out.append(',');
                    out.append(timestamp(simple, diagnostic, standalone.get(t)));
                }
                out.append("]}");
            } catch (Exception e) {
                out.append(",\"error\":").append(json(e.toString())).append('}');
            }
            System.out.println(out);
        }
    }

    private static String timestamp(SimpleReport simple, DiagnosticData diagnostic, String id) {
        TimestampWrapper wrapper = diagnostic.getTimestampById(id);
        return "{\"id\":" + json(id)
            + ",\"type\":" + json(wrapper == null ? null : wrapper.getType())
            + ",\"indication\":" + json(simple.getIndication(id))
            + ",\"subIndication\":" + json(simple.getSubIndication(id))
            + ",\"messageImprintIntact\":" + (wrapper != null && wrapper.isMessageImprintDataIntact())
            + ",\"errors\":" + messages(simple.getAdESValidationErrors(id))
            + "}";
    }

    private static String messages(List<Message> list) {
        List<String> texts = new ArrayList<>();
        if (list != null) for (var m : list) texts.add(json(m.getKey() + ": " + m.getValue()));
        return "[" + String.join(",", texts) + "]";
    }

    private static String json(Object value) {
        if (value == null) return "null";
        String s = value.toString();
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }
}
