package dev.switchboard.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.ConfigProvider;

/** Makes {@link Settings} injectable, read once from MicroProfile Config. */
@ApplicationScoped
class SettingsProducer {

    @Produces
    @Singleton
    Settings settings() {
        return Settings.from(ConfigProvider.getConfig());
    }
}
