<?php
// Test-only stand-in for WooCommerce's gateway base class (declared from its documented API, a subset):
// loading it is what "WooCommerce is active" means to the example plugin.

abstract class WC_Payment_Gateway
{
	public string $id = '';
	public string $method_title = '';
	public string $method_description = '';
	public string $title = '';
	public bool $has_fields = false;
	public array $form_fields = [];
	public array $settings = [];

	public function init_settings(): void
	{
	}

	public function get_option(string $key, mixed $empty_value = null): mixed
	{
		return $this->settings[$key] ?? $this->form_fields[$key]['default'] ?? $empty_value;
	}
}
