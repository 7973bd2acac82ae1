package io.bulkhead.core.admin.internal.methods;

import static io.bulkhead.core.admin.internal.methods.MethodSpec.Destination.ANY;
import static io.bulkhead.core.admin.internal.methods.MethodSpec.Rule.NONE;
import static io.bulkhead.core.admin.internal.methods.MethodSpec.Rule.OPTIONAL;
import static io.bulkhead.core.admin.internal.methods.MethodSpec.Rule.REQUIRED;

import io.bulkhead.core.domains.DomainsService;

/** {@code admin.vm.feature.*} and {@code admin.vm.tag.*}. */
public final class FeatureTagMethods {
    private final DomainsService domains;

    public FeatureTagMethods(DomainsService domains) {
        this.domains = domains;
    }

    public void register(MethodTable table) {
        table.add("admin.vm.feature.List", NONE, NONE, ANY, r -> PropertyMethods.lines(domains.features(r.destination()).keySet()));
        table.add("admin.vm.feature.Get", REQUIRED, NONE, ANY, r -> domains.feature(r.destination(), r.argument()));
        table.add("admin.vm.feature.Set", REQUIRED, OPTIONAL, ANY, r -> {
            domains.setFeature(r.destination(), r.argument(), r.payloadText());
            return "";
        });
        table.add("admin.vm.feature.Remove", REQUIRED, NONE, ANY, r -> {
            domains.removeFeature(r.destination(), r.argument());
            return "";
        });
        table.add("admin.vm.feature.CheckWithTemplate", REQUIRED, NONE, ANY,
                r -> domains.featureCheckWithTemplate(r.destination(), r.argument()));
        table.add("admin.vm.feature.CheckWithNetvm", REQUIRED, NONE, ANY,
                r -> domains.featureCheckWithNetvm(r.destination(), r.argument()));
        table.add("admin.vm.feature.CheckWithAdminVM", REQUIRED, NONE, ANY,
                r -> domains.featureCheckWithAdminVM(r.destination(), r.argument()));
        table.add("admin.vm.feature.CheckWithTemplateAndAdminVM", REQUIRED, NONE, ANY,
                r -> domains.featureCheckWithTemplateAndAdminVM(r.destination(), r.argument()));

        table.add("admin.vm.tag.List", NONE, NONE, ANY, r -> PropertyMethods.lines(domains.tags(r.destination())));
        table.add("admin.vm.tag.Get", REQUIRED, NONE, ANY, r -> domains.tags(r.destination()).contains(r.argument()) ? "1" : "0");
        table.add("admin.vm.tag.Set", REQUIRED, NONE, ANY, r -> {
            domains.addTag(r.destination(), r.argument());
            return "";
        });
        table.add("admin.vm.tag.Remove", REQUIRED, NONE, ANY, r -> {
            domains.removeTag(r.destination(), r.argument());
            return "";
        });
    }
}
