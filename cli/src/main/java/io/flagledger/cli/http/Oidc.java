package io.flagledger.cli.http;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import io.quarkus.rest.client.reactive.Url;

/** The issuer's discovery document and the device flow's form posts (endpoints as discovery names them). */
public interface Oidc {

    @GET
    @Path(".well-known/openid-configuration")
    JsonNode discovery();

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    Response post(@Url String endpoint, MultivaluedMap<String, String> form);
}
